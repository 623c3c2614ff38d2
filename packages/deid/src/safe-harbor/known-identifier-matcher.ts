import type { KnownIdentifiers, TextSpan } from '../text/text-deidentifier.ts';
import { isAsciiSpace, isAsciiText, isAsciiWord, matchRunsAt } from './ascii-folded-search.ts';
import { foldText, isUnspacedAt, isWordAt, originalOffset, standsAlone, type FoldedText } from './fold-text.ts';
import { cheapKey, digitsOf, headOf, isoDateDayAt, isoDateMonthAt, keyOf, literalOf, unpadded, valueOf } from './known-literal-forms.ts';
import { keepLongest } from './keep-longest.ts';
import { pushNumberSpans, type KnownNumbers, type NumberKind } from './known-number-spans.ts';

export { dateVariants, literalOf } from './known-literal-forms.ts';

/** Field of {@link KnownIdentifiers}, the category and detector of its matches, in priority order. */
const KINDS = [
  ['names', 'name', 'known.name'],
  ['addresses', 'geographic', 'known.address'],
  ['identifiers', 'other-id', 'known.identifier'],
  ['phones', 'phone', 'known.phone'],
  ['emails', 'email', 'known.email'],
  ['dates', 'date', 'known.date'],
] as const;
type Kind = (typeof KINDS)[number];

const DATES = KINDS.length - 1;
const EMPTY: readonly string[] = [];
/** Per kind, what a number's span is reported as. */
const NUMBER_KINDS: readonly NumberKind[] = KINDS.map(([, category, detector]) => ({ category, detector }));
const ANY_DIGIT = /[0-9]/;
/** An ASCII letter in a literal (literals are lower case). */
const ANY_LETTER = /[a-z]/;
/** Entry key of a value whose literal is empty or shorter than two characters: never matches. */
const NONE = -1;
/** From this many word starts on, a text is searched with `indexOf` per value instead of by keys. */
const LINEAR_STARTS = 32;
/** Literals whose heads (the part before a space) begin with the same this many characters are searched together in long texts. */
const ANCHOR = 4;
/** From this many anchor groups on, a long ASCII text is scanned once for all anchors (a regular expression), not once per anchor. */
const SEARCH_GROUPS = 4;
/** ...and from a set's this many-th long text on (see `#anchorSearch`). */
const SEARCH_AFTER = 3;
/** Characters escaped in an anchor put into that expression. */
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|\/-]/g;
/** Texts longer than this go straight to {@link KnownIdentifierMatcher} `#searchEach` (`#searchEachAscii`). */
const LONG_TEXT = 200;

/**
 * One patient's known identifiers prepared for matching (45 CFR §164.514(b)(2)(i): identifiers
 * known from structured data removed from free text). Preparing is cheap and lazy, because most
 * sets meet one or two short texts: a value's literal is computed only when a text has a word
 * start with the literal's first two characters; dates and digit forms only for texts with digits.
 *
 * An ASCII text (nearly every text) is not folded: its lower-cased form is searched in place, each
 * space of a literal matching a whole white-space run (ascii-folded-search.ts). Short texts are
 * searched by word-start keys; long ones with native `indexOf`, once per shared head prefix and
 * once per date year. Other texts are folded ({@link foldText}) and searched the same way. The
 * spans are exactly those of the previous version, kept as the oracle of
 * known-identifier-matcher-oracle.test.ts (and of a plain search of every literal:
 * known-identifier-matcher.test.ts).
 */
export class KnownIdentifierMatcher {
  readonly #raws: string[] = [];
  readonly #kinds: number[] = [];
  /** Per entry: first two characters of its literal, or {@link NONE}. */
  readonly #keys: number[] = [];
  /** Per entry: its literal once computed (`null`: not yet; `undefined`: too short, never matches). */
  readonly #literals: (string | null | undefined)[] = [];
  /**
   * Per entry, once its literal is computed: the literal up to its first space (searched with
   * `indexOf` in an ASCII text, the rest checked run by run), or `null` when the literal is not
   * ASCII (it cannot occur in an ASCII text).
   */
  readonly #heads: (string | null)[] = [];
  /**
   * Per entry: where the year of its ISO-like date sits in its literal; unset (a hole) or -1 when
   * it is not such a date (only dates, appended last, are set).
   * Every spelling of such a date contains its year, so a long text is searched once per year and
   * each spelling checked where the year occurs, instead of once per spelling.
   */
  readonly #yearAt: number[] = [];
  /** Per entry: its year's index in {@link #years} (set where {@link #yearAt} is). */
  readonly #yearOf: number[] = [];
  /** The distinct years of the dates added so far. */
  readonly #years: string[] = [];
  /** Entries searched together in long ASCII texts ({@link #searchEachAscii}): the head prefix each group searches, its entries in order, and how many entries were grouped. */
  #anchors: string[] = [];
  #members: number[][] = [];
  /**
   * From {@link SEARCH_GROUPS} groups on, and from the {@link SEARCH_AFTER}th long text on (compiling
   * it costs more than it saves on a few texts): one expression finding any of their anchors
   * (`g`: its `lastIndex` is state, this matcher's own). Dropped when the groups change.
   */
  #anchorSearch: RegExp | undefined;
  /** Long ASCII texts searched so far. */
  #longTexts = 0;
  #grouped = -1;
  /** Digit groups of one run (`pushNumberSpans`), reused. */
  readonly #groupStarts: number[] = [];
  readonly #groupEnds: number[] = [];
  /** Word starts and their keys, reused by every short ASCII text (no arrays per call). */
  readonly #starts: number[] = [];
  readonly #startKeys: number[] = [];
  /** Dates with ASCII digits: their literals all have digits, so they wait for a text with digits. */
  readonly #dateRaws: string[] = [];
  #datesDone = false;
  /**
   * The year digits of every date in {@link #dateRaws}, when each is an ISO-like date: each of its
   * spellings ({@link dateVariants}) then contains its year, so a text without any of the years
   * cannot match one and the spellings wait. `undefined` when some date has another form.
   */
  #dateYears: string[] | undefined = [];
  /** The ids and phones (numbers also matched with other separators), as handed in (readonly by contract). */
  readonly #identifiers: readonly string[];
  readonly #phones: readonly string[];
  /** Literals computed so far (made when the first is). */
  #seen: Set<string> | undefined;
  #numbers: KnownNumbers | undefined;
  /**
   * Entries whose literal may have an ASCII letter: every entry but a date's, whose literal is
   * known. Without any, an ASCII text is searched as it stands, not lower-cased: lower-casing an
   * ASCII text changes only letters, so a literal without letters occurs at the same places.
   */
  #lettered = 0;

  constructor(known: KnownIdentifiers) {
    this.#identifiers = known.identifiers ?? EMPTY;
    this.#phones = known.phones ?? EMPTY;
    for (let k = 0; k < DATES; k++) {
      for (const raw of known[(KINDS[k] as Kind)[0]] ?? EMPTY) {
        const key = cheapKey(raw);
        if (key !== undefined) this.#add(raw, k, key, null);
        else {
          const lit = literalOf(raw);
          if (lit !== undefined) this.#add(raw, k, keyOf(lit, 0), lit);
        }
      }
    }
    for (const raw of known.dates ?? []) {
      if (ANY_DIGIT.test(raw)) {
        this.#dateRaws.push(raw);
        // An ISO-like date has eight digits, so the digit count of the previous test is implied.
        const value = valueOf(raw);
        if (isoDateMonthAt(value) < 0) this.#dateYears = undefined;
        else this.#dateYears?.push(value.slice(0, 4));
      }
      else this.#addDate(raw);
    }
  }

  #add(raw: string, kind: number, key: number, literal: string | null): void {
    this.#raws.push(raw);
    this.#kinds.push(kind);
    this.#keys.push(key);
    this.#literals.push(literal);
    this.#heads.push(literal === null ? null : headOf(literal));
    if (kind !== DATES || (literal !== null && ANY_LETTER.test(literal))) this.#lettered += 1;
  }

  /**
   * Date literals, appended last (dates come last in priority; equal date spans are identical):
   * the spellings of {@link dateVariants}, in its order. The generated ones are ASCII digits and
   * separators, their own literals (nothing to trim, fold or lower-case).
   */
  #addDate(raw: string): void {
    const value = valueOf(raw);
    if (value === '') return;
    // ISO_DATE (known-literal-forms.ts) matched by hand; eight digits are implied by a match.
    const at = isoDateMonthAt(value);
    const year = at < 0 ? undefined : value.slice(0, 4);
    const lit = literalOf(value);
    if (lit !== undefined) {
      this.#add(value, DATES, keyOf(lit, 0), lit);
      const e = this.#keys.length - 1;
      if (year !== undefined && this.#heads[e] !== null) this.#setYear(e, lit.indexOf(year), year);
    }
    if (year === undefined) return;
    const mo = value.slice(at, at + 2);
    const dayAt = isoDateDayAt(value, at);
    const d = value.slice(dayAt, dayAt + 2);
    const nm = unpadded(mo);
    const nd = unpadded(d);
    // The generated spellings are ASCII digits and separators, their own literals and heads (no
    // space), with the year at a known place (a four-digit run cannot occur in `M/D/` or `D.M.`).
    this.#addSpelling(`${year}${mo}${d}`, 0, year, lit);
    this.#addSpelling(`${year}-${mo}-${d}`, 0, year, lit);
    for (let a = 0; a < 2; a++) {
      const mm = a === 0 ? mo : nm;
      if (a === 1 && nm === mo) break;
      for (let b = 0; b < 2; b++) {
        const dd = b === 0 ? d : nd;
        if (b === 1 && nd === d) break;
        const yearAt = mm.length + dd.length + 2;
        this.#addSpelling(`${mm}/${dd}/${year}`, yearAt, year, lit);
        this.#addSpelling(`${dd}.${mm}.${year}`, yearAt, year, lit);
      }
    }
  }

  /**
   * One generated date spelling (its own literal and head), its year at `yearAt`. Not when it is
   * the given date's literal (`1988-11-04` given): its spans would be the same as that entry's,
   * pushed after them, so always dropped.
   */
  #addSpelling(spelling: string, yearAt: number, year: string, given: string | undefined): void {
    if (spelling === given) return;
    this.#raws.push(spelling);
    this.#kinds.push(DATES);
    this.#keys.push(keyOf(spelling, 0));
    this.#literals.push(spelling);
    this.#heads.push(spelling);
    this.#setYear(this.#keys.length - 1, yearAt, year);
  }

  /** Entry `e` is searched by its year, found at `at` in its literal (nothing when -1). */
  #setYear(e: number, at: number, year: string): void {
    if (at < 0) return;
    let y = this.#years.indexOf(year);
    if (y < 0) y = this.#years.push(year) - 1;
    this.#yearAt[e] = at;
    this.#yearOf[e] = y;
  }

  #prepareNumbers(): KnownNumbers {
    const byDigits = new Map<string, NumberKind>();
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < this.#identifiers.length + this.#phones.length; i++) {
      const kind = i < this.#identifiers.length ? 2 : 3;
      const raw = (kind === 2 ? this.#identifiers[i] : this.#phones[i - this.#identifiers.length]) ?? '';
      // The raw value's digits: NFC and trimming never add, drop or move an ASCII digit (checked
      // over every code point in known-literal-forms.test.ts), so `valueOf` is not needed here.
      const digits = digitsOf(raw);
      if (digits.length < 4 || byDigits.has(digits)) continue;
      byDigits.set(digits, NUMBER_KINDS[kind] as NumberKind);
      min = Math.min(min, digits.length);
      max = Math.max(max, digits.length);
    }
    this.#numbers = { byDigits, min, max, firstDigit: /\d/g };
    return this.#numbers;
  }

  #literal(entry: number): string | undefined {
    const lit = this.#literals[entry];
    if (lit !== null) return lit;
    let computed = literalOf(this.#raws[entry] ?? '');
    // A literal an earlier entry already has can only give spans equal to that entry's, which win
    // (entries are visited in order, so the earlier one was computed first): never search it.
    if (computed !== undefined) {
      const seen = (this.#seen ??= new Set<string>());
      if (seen.has(computed)) computed = undefined;
      else seen.add(computed);
    }
    this.#literals[entry] = computed;
    if (computed !== undefined) this.#heads[entry] = headOf(computed);
    return computed;
  }

  /** Spans of known identifiers in `text`: sorted, non-overlapping, the longest at each place. */
  findSpans(text: string): TextSpan[] {
    const hasDigit = ANY_DIGIT.test(text);
    if (hasDigit && !this.#datesDone && this.#hasDateYear(text)) {
      this.#datesDone = true;
      for (const raw of this.#dateRaws) this.#addDate(raw);
    }
    const found: TextSpan[] = [];
    if (this.#keys.length > 0) {
      // ASCII text (nearly all): searched lower-cased in place, white-space runs matched as they
      // stand (ascii-folded-search.ts), so the text is never folded and offsets need no mapping.
      if (isAsciiText(text)) this.#asciiSpans(this.#lettered > 0 ? text.toLowerCase() : text, found);
      else this.#literalSpans(foldText(text), found);
    }
    if (hasDigit && this.#identifiers.length + this.#phones.length > 0) pushNumberSpans(text, this.#numbers ?? this.#prepareNumbers(), this.#groupStarts, this.#groupEnds, found);
    return keepLongest(found);
  }

  #hasDateYear(text: string): boolean {
    const years = this.#dateYears;
    if (years === undefined) return true;
    for (const y of years) if (text.includes(y)) return true;
    return false;
  }

  /**
   * {@link #literalSpans} for an ASCII text, on its lower-cased form (same length, same offsets),
   * or on the text itself when no literal has a letter ({@link #lettered}).
   */
  #asciiSpans(lower: string, found: TextSpan[]): void {
    const n = lower.length;
    if (n > LONG_TEXT) {
      this.#searchEachAscii(lower, found);
      return;
    }
    // Word starts (no letter or digit before) that are not white space, keyed by their first two
    // characters as folded: a white-space second character is the one space it folds to.
    const starts = this.#starts;
    const startKeys = this.#startKeys;
    let count = 0;
    for (let i = 0; i + 1 < n; i++) {
      const c = lower.charCodeAt(i);
      if (isAsciiSpace(c) || (i > 0 && isAsciiWord(lower.charCodeAt(i - 1)))) continue;
      if (count === LINEAR_STARTS) {
        this.#searchEachAscii(lower, found); // many words: native search per literal
        return;
      }
      const c1 = lower.charCodeAt(i + 1);
      starts[count] = i;
      startKeys[count] = (c << 16) | (isAsciiSpace(c1) ? 32 : c1);
      count += 1;
    }
    const keys = this.#keys;
    // Entry order is priority order: among equal spans the first pushed is kept.
    for (let e = 0; e < keys.length; e++) {
      const key = keys[e] as number;
      if (key === NONE) continue;
      let lit: string | undefined | null = null;
      for (let s = 0; s < count; s++) {
        if (startKeys[s] !== key) continue;
        lit ??= this.#literal(e);
        if (lit === undefined) {
          keys[e] = NONE;
          break;
        }
        const head = this.#heads[e];
        if (head === null || head === undefined) break; // not ASCII: cannot occur here
        this.#pushAscii(lower, starts[s] as number, lit, 0, e, found);
      }
    }
  }

  /**
   * Every literal searched with `indexOf` (long ASCII texts), literals whose heads share their
   * first {@link ANCHOR} characters together (a name and its spellings: `yvone`, `yvone889`,
   * `yvone889 janina163 ...`), dates by their years.
   */
  #searchEachAscii(lower: string, found: TextSpan[]): void {
    const keys = this.#keys;
    const yearAt = this.#yearAt;
    // Literals computed in entry order (an earlier entry keeps a literal that a later one repeats).
    for (let e = 0; e < keys.length; e++) if (keys[e] !== NONE && this.#literal(e) === undefined) keys[e] = NONE;
    if (this.#grouped !== keys.length) this.#group();
    const anchors = this.#anchors;
    // Two different literals never give the same span, and members keep entry order at each place,
    // so the first pushed among equal spans is still the earliest entry's.
    this.#longTexts += 1;
    let search = this.#anchorSearch;
    if (search === undefined && anchors.length >= SEARCH_GROUPS && this.#longTexts >= SEARCH_AFTER) {
      search = new RegExp(anchors.map((a) => a.replace(REGEX_SYNTAX, '\\$&')).join('|'), 'g');
      this.#anchorSearch = search;
    }
    if (search === undefined) {
      for (let g = 0; g < anchors.length; g++) {
        const anchor = anchors[g] as string;
        for (let i = lower.indexOf(anchor); i >= 0; i = lower.indexOf(anchor, i + 1)) if (!isAsciiWord(lower.charCodeAt(i - 1))) this.#pushGroup(lower, i, g, found);
      }
    } else {
      // Many groups: one scan for all their anchors, then at each place where one occurs every
      // group whose anchor is there, in group order. Spans pushed in another order than group by
      // group, but equal spans share their start, and at one start the order is the same.
      search.lastIndex = 0;
      for (let m = search.exec(lower); m !== null; m = search.exec(lower)) {
        const i = m.index;
        search.lastIndex = i + 1; // anchors may overlap
        if (isAsciiWord(lower.charCodeAt(i - 1))) continue;
        for (let g = 0; g < anchors.length; g++) if (lower.startsWith(anchors[g] as string, i)) this.#pushGroup(lower, i, g, found);
      }
    }
    // Date spellings last, as they were added: a span equal to another kind's is that kind's; two
    // equal date spans are identical, so their order among themselves does not matter.
    const years = this.#years;
    for (let y = 0; y < years.length; y++) {
      const year = years[y] as string;
      for (let p = lower.indexOf(year); p >= 0; p = lower.indexOf(year, p + 1)) {
        for (let e = 0; e < keys.length; e++) {
          if (this.#yearOf[e] !== y) continue;
          const start = p - (yearAt[e] as number);
          if (start >= 0 && !isAsciiWord(lower.charCodeAt(start - 1))) this.#pushAscii(lower, start, this.#literals[e] as string, 0, e, found);
        }
      }
    }
  }

  /** The matches of group `g`'s members at `i`, a word start where the group's anchor occurs. */
  #pushGroup(lower: string, i: number, g: number, found: TextSpan[]): void {
    const anchor = this.#anchors[g] as string;
    const members = this.#members[g] as number[];
    const heads = this.#heads;
    for (let m = 0; m < members.length; m++) {
      const e = members[m] as number;
      const head = heads[e] as string;
      if (head.length === anchor.length || lower.startsWith(head, i)) this.#pushAscii(lower, i, this.#literals[e] as string, head.length, e, found);
    }
  }

  /** Groups the entries with an ASCII literal that are not dates searched by year, by the first {@link ANCHOR} characters of their heads. */
  #group(): void {
    const anchors: string[] = [];
    const members: number[][] = [];
    for (let e = 0; e < this.#keys.length; e++) {
      const head = this.#heads[e];
      if (this.#keys[e] === NONE || head === null || head === undefined || (this.#yearAt[e] ?? -1) >= 0) continue;
      const anchor = head.length > ANCHOR ? head.slice(0, ANCHOR) : head;
      const g = anchors.indexOf(anchor);
      if (g >= 0) (members[g] as number[]).push(e);
      else {
        anchors.push(anchor);
        members.push([e]);
      }
    }
    this.#anchors = anchors;
    this.#members = members;
    this.#anchorSearch = undefined;
    this.#grouped = this.#keys.length;
  }

  /** A match of entry `e`'s literal at `i` (a word start where its first `checked` characters are known to match), if it also ends a word. */
  #pushAscii(lower: string, i: number, lit: string, checked: number, e: number, found: TextSpan[]): void {
    const end = checked === lit.length ? i + checked : matchRunsAt(lower, i + checked, lit, checked);
    if (end < 0 || isAsciiWord(lower.charCodeAt(end))) return;
    const kind = KINDS[this.#kinds[e] as number] as Kind;
    found.push({ start: i, end, category: kind[1], detector: kind[2] });
  }

  #literalSpans(f: FoldedText, found: TextSpan[]): void {
    const { folded } = f;
    if (folded.length > LONG_TEXT) {
      this.#searchEach(f, found);
      return;
    }
    // Word starts: a literal matches only where no letter or digit precedes it, or where a
    // script written without spaces meets it (fold-text.ts `standsAlone`).
    const starts: number[] = [];
    const startKeys: number[] = [];
    for (let i = 0; i + 1 < folded.length; i++) {
      if (i === 0 || !isWordAt(folded, i - 1) || isUnspacedAt(folded, i - 1) || isUnspacedAt(folded, i)) {
        if (starts.length === LINEAR_STARTS) {
          this.#searchEach(f, found); // a long text: native search per literal
          return;
        }
        starts.push(i);
        startKeys.push(keyOf(folded, i));
      }
    }
    const keys = this.#keys;
    // Entry order is priority order: among equal spans the first pushed is kept.
    for (let e = 0; e < keys.length; e++) {
      const key = keys[e] as number;
      if (key === NONE) continue;
      let lit: string | undefined | null = null;
      for (let s = 0; s < starts.length; s++) {
        if (startKeys[s] !== key) continue;
        lit ??= this.#literal(e);
        if (lit === undefined) {
          keys[e] = NONE;
          break;
        }
        this.#pushLiteral(f, starts[s] as number, lit, e, found);
      }
    }
  }

  /** Every literal searched with `indexOf` (long texts: most values have a candidate start anyway). */
  #searchEach(f: FoldedText, found: TextSpan[]): void {
    const { folded } = f;
    for (let e = 0; e < this.#keys.length; e++) {
      if (this.#keys[e] === NONE) continue;
      const lit = this.#literal(e);
      if (lit === undefined) {
        this.#keys[e] = NONE;
        continue;
      }
      for (let i = folded.indexOf(lit); i >= 0; i = folded.indexOf(lit, i + 1)) this.#pushLiteral(f, i, lit, e, found);
    }
  }

  /** A match of entry `e`'s literal at folded `i`, if it stands alone as a word there. */
  #pushLiteral(f: FoldedText, i: number, lit: string, e: number, found: TextSpan[]): void {
    const end = i + lit.length;
    if (!f.folded.startsWith(lit, i) || !standsAlone(f.folded, i, end)) return;
    const kind = KINDS[this.#kinds[e] as number] as Kind;
    found.push({ start: originalOffset(f, i), end: originalOffset(f, end - 1) + 1, category: kind[1], detector: kind[2] });
  }
}
