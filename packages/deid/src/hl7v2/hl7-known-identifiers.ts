import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';
import { hl7DateToIsoScan } from './hl7-date.ts';
import { isHeader, segmentIdKey } from './hl7-structure.ts';
import type { FieldRule } from './hl7-safe-harbor-table.ts';
import { Hl7KnownValues } from './hl7-known-values.ts';
import { Hl7SeparatorIndex } from './hl7-separator-index.ts';
import { KnownTextKeys } from './hl7-text-prefilter.ts';

const COLLECTED = new Set(['name', 'org', 'prov', 'addr', 'county', 'place', 'phone', 'pid', 'mrn', 'ssn', 'lic', 'plan', 'acct', 'id', 'eip', 'dev', 'dob']);

/** Per segment id, the fields (number and rule, in field order) whose values are known identifiers. */
export type KnownIdentifierPlan = ReadonlyMap<string, readonly { readonly n: number; readonly rule: FieldRule }[]>;

/** The {@link KnownIdentifierPlan} of a Safe Harbor table: computed once, so a message visits only those fields. */
export function knownIdentifierPlan(table: ReadonlyMap<string, readonly FieldRule[]>): KnownIdentifierPlan {
  const plan = new Map<string, { n: number; rule: FieldRule }[]>();
  for (const [id, rules] of table) {
    const wanted = rules.flatMap((rule, i) => (COLLECTED.has(rule.kind) ? [{ n: i + 1, rule }] : []));
    if (wanted.length > 0) plan.set(id, wanted);
  }
  return plan;
}

/** What separates the words of a name written whole (`Zebulon Quixote`, `Quixote,Zebulon`, `Quixote/Zebulon`). */
const NAME_SEPARATORS = /[\s,;/]+/u;
/** Name particles, which alone are ordinary words of text (never added as a name by themselves). */
const PARTICLES: ReadonlySet<string> = new Set(['de', 'la', 'le', 'del', 'della', 'der', 'den', 'van', 'von', 'di', 'da', 'du', 'dos', 'das', 'el', 'al', 'bin', 'ibn', 'st', 'st.', 'jr', 'jr.', 'sr', 'sr.', 'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.', 'dr', 'dr.', 'and', 'y']);

const NOTHING: readonly { readonly n: number; readonly rule: FieldRule }[] = [];

/**
 * Per rule kind, the last component (0-based) read: a person's name (XPN) every component (a
 * malformed field may put it anywhere, or whole in one); organisations and providers the first six
 * (for providers the id, then the name), XAD the street (subcomponents), other designation, city, ZIP,
 * other geographic designation and county; every component of phones and ids; -1 for kinds not
 * collected.
 */
const LAST_COMPONENT: Readonly<Partial<Record<FieldRule['kind'], number>>> = {
  name: Number.MAX_SAFE_INTEGER, org: 5, prov: 5, addr: 8, county: 1, place: 1, phone: Number.MAX_SAFE_INTEGER, eip: 1, dob: 0,
  pid: Number.MAX_SAFE_INTEGER, mrn: Number.MAX_SAFE_INTEGER, ssn: Number.MAX_SAFE_INTEGER, lic: Number.MAX_SAFE_INTEGER,
  plan: Number.MAX_SAFE_INTEGER, acct: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER, dev: Number.MAX_SAFE_INTEGER,
};

/**
 * Collects, from one message's segments (their text), the identifiers that free text (OBX-5,
 * NTE-3, ...) must not repeat: names (each part), street and city, ZIP, phones and e-mails,
 * identifiers, dates of birth. Only the fields the plan names are visited, found by walking the
 * separators (no segment is split into an array). PHI: lives only in memory for the message.
 *
 * One collector serves every message of a de-identifier ({@link reset} starts a message). The values
 * go into {@link values} (compared case-insensitively) as they are found; the lists the text engine takes
 * ({@link KnownIdentifiers}, in insertion order: the engine's priority order) are materialised
 * only when a message has free text ({@link known}).
 */
export class Hl7KnownCollector {
  readonly values: Hl7KnownValues;
  readonly #plan: KnownIdentifierPlan;
  /** The plan by {@link segmentIdKey} (a number: no slice per segment); {@link NOTHING} for none. */
  readonly #byKey = new Map<number, readonly { readonly n: number; readonly rule: FieldRule }[]>();
  // Values in the order found, duplicates included (removed when the lists are made). Arrays
  // emptied by `length = 0`, not sets: `Set.prototype.clear` on a long-lived set leaves its young
  // entries reachable through the old table, so every scavenge promoted them (~3 KB a message).
  readonly #names: string[] = [];
  readonly #addresses: string[] = [];
  readonly #identifiers: string[] = [];
  readonly #phones: string[] = [];
  readonly #emails: string[] = [];
  readonly #dates: string[] = [];
  /** For {@link segment} (one segment at a time). */
  readonly #index = new Hl7SeparatorIndex();
  #enc: Hl7Encoding | undefined;
  #known: KnownIdentifiers | undefined;
  /** The prefilter's keys of {@link known}'s values, made for the first text that needs them in a message. */
  readonly #textKeys = new KnownTextKeys([this.#names, this.#addresses, this.#identifiers, this.#phones, this.#emails, this.#dates]);

  constructor(plan: KnownIdentifierPlan) {
    this.#plan = plan;
    // Kept fields are checked for values held as words (docs/deid/hl7v2.md, "Malformed and unusual shapes").
    this.values = new Hl7KnownValues([], true);
  }

  reset(enc: Hl7Encoding): void {
    this.#enc = enc;
    this.#known = undefined;
    this.#textKeys.reset();
    this.#names.length = 0;
    this.#addresses.length = 0;
    this.#identifiers.length = 0;
    this.#phones.length = 0;
    this.#emails.length = 0;
    this.#dates.length = 0;
    this.values.clear();
  }

  /** Gathers one segment's identifiers (segments in message order). */
  segment(text: string): void {
    if (this.#enc === undefined || this.#wanted(text) === NOTHING) return;
    const index = this.#index;
    index.reset();
    const count = index.walk(text, this.#enc.field);
    this.segmentAt(text, index.positions, 0, count);
  }

  /**
   * {@link segment} with the segment's field separators already found: `positions[from ..
   * from + count)` ({@link Hl7SeparatorIndex}), so the field rules' pass does not walk it again.
   */
  segmentAt(text: string, positions: Int32Array, from: number, count: number): void {
    const wanted = this.#wanted(text);
    if (wanted === NOTHING || this.#enc === undefined) return;
    // Field n starts after separator n (1-based; after separator n - 1 for headers: MSH-1 is the separator itself).
    const shift = isHeader(text.slice(0, 3)) ? 2 : 1;
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i] as { readonly n: number; readonly rule: FieldRule };
      const k = w.n - shift;
      if (k >= count) break;
      const s = k < 0 ? -1 : (positions[from + k] as number);
      const e = k + 1 < count ? (positions[from + k + 1] as number) : text.length;
      if (e > s + 1) this.#field(text.slice(s + 1, e), w.rule);
    }
  }

  #wanted(text: string): readonly { readonly n: number; readonly rule: FieldRule }[] {
    const key = segmentIdKey(text);
    if (key < 0) return this.#plan.get(text.length < 3 ? text : text.slice(0, 3)) ?? NOTHING;
    let wanted = this.#byKey.get(key);
    if (wanted === undefined) {
      wanted = this.#plan.get(text.slice(0, 3)) ?? NOTHING;
      this.#byKey.set(key, wanted);
    }
    return wanted;
  }

  /** Whether {@link segmentAt} reads anything of this segment (so its separators are worth finding). */
  wants(text: string): boolean {
    return this.#wanted(text) !== NOTHING;
  }

  /** The lists for the text engine (fresh arrays: the engine may keep them), made once per message. */
  known(): KnownIdentifiers {
    this.#known ??= {
      names: unique(this.#names),
      addresses: unique(this.#addresses),
      identifiers: unique(this.#identifiers),
      phones: unique(this.#phones),
      emails: unique(this.#emails),
      dates: unique(this.#dates),
    };
    return this.#known;
  }

  /** The message's values as the free-text prefilter takes them (hl7-text-prefilter.ts). */
  textKeys(): KnownTextKeys {
    return this.#textKeys;
  }

  #field(raw: string, rule: FieldRule): void {
    const enc = this.#enc as Hl7Encoding;
    const kind = rule.kind;
    let from = 0;
    for (;;) {
      let to = raw.indexOf(enc.repetition, from);
      if (to < 0) to = raw.length;
      // An empty repetition holds nothing to collect.
      if (to > from) this.#rep(raw, from, to, kind, enc);
      if (to >= raw.length) break;
      from = to + 1;
    }
  }

  /**
   * One repetition `raw[a, b)`, component by component where it lies (no component array; only
   * the components the rule reads are sliced). Values are added in the order of the lists'
   * first-seen contract: components in order, then (phones) the country and area code joined.
   */
  #rep(raw: string, a: number, b: number, kind: FieldRule['kind'], enc: Hl7Encoding): void {
    const last = LAST_COMPONENT[kind] ?? -1;
    if (last < 0) return;
    let c5 = '';
    let c6 = '';
    let email = '';
    let cs = a;
    for (let i = 0; i <= last; i++) {
      let ce = raw.indexOf(enc.component, cs);
      if (ce < 0 || ce > b) ce = b;
      if (ce > cs) {
        switch (kind) {
          case 'name':
            // XPN-7 on are codes and dates (1-3 characters, or digits): only longer values past XPN-6.
            if (i <= 5 || ce - cs >= 4) this.#addNameSubs(raw.slice(cs, ce));
            break;
          case 'org':
            this.#addSubs(this.#names, raw.slice(cs, ce));
            break;
          case 'prov':
            if (i === 0) this.#add(this.#identifiers, raw.slice(cs, ce));
            else this.#addSubs(this.#names, raw.slice(cs, ce));
            break;
          case 'addr':
            if (i === 0) this.#addSubs(this.#addresses, raw.slice(cs, ce));
            else if (i === 1 || i === 2 || i === 4 || i === 7 || i === 8) this.#add(this.#addresses, raw.slice(cs, ce));
            break;
          case 'county':
          case 'place':
            this.#add(this.#addresses, raw.slice(cs, ce));
            break;
          case 'phone': {
            // Every component (4+ characters): feeds put numbers and addresses in any of them.
            const comp = raw.slice(cs, ce);
            this.#add(this.#phones, comp);
            if (i === 3) email = comp;
            else if (i === 5) c5 = comp;
            else if (i === 6) c6 = comp;
            break;
          }
          case 'eip':
            this.#add(this.#identifiers, firstSub(raw.slice(cs, ce), enc));
            break;
          case 'dob': {
            const value = this.#plain(raw.slice(cs, ce));
            const d = hl7DateToIsoScan(value);
            if (d !== undefined && d.iso.length === 10) {
              this.#dates.push(d.iso);
              // Kept fields are checked for the birth date by its digits: YYYYMMDD, MMDDYYYY, DDMMYYYY (`1950-05-04`, `05/04/1950`).
              const y = value.slice(0, 4);
              const md = value.slice(4, 8);
              this.values.add(y + md);
              this.values.add(md + y);
              if (value.charCodeAt(4) !== value.charCodeAt(6) || value.charCodeAt(5) !== value.charCodeAt(7)) this.values.add(value.slice(6, 8) + value.slice(4, 6) + y);
            }
            break;
          }
          default:
            // pid, mrn, ssn, lic, plan, acct, id, dev: component 1, and any other component
            // holding digits (an id in the wrong place).
            if (i === 0) this.#add(this.#identifiers, firstSub(raw.slice(cs, ce), enc));
            else if (hasDigit(raw, cs, ce)) this.#add(this.#identifiers, raw.slice(cs, ce));
            break;
        }
      }
      if (ce >= b) break;
      cs = ce + 1;
    }
    if (kind === 'phone') {
      if (c5 !== '' || c6 !== '') this.#add(this.#phones, this.#plain(c5) + this.#plain(c6));
      this.#add(this.#emails, email);
    }
  }

  #addSubs(set: string[], comp: string | undefined): void {
    if (comp === undefined) return;
    const sub = (this.#enc as Hl7Encoding).subcomponent;
    if (!comp.includes(sub)) {
      this.#add(set, comp);
      return;
    }
    let from = 0;
    for (;;) {
      let to = comp.indexOf(sub, from);
      if (to < 0) to = comp.length;
      this.#add(set, comp.slice(from, to));
      if (to >= comp.length) break;
      from = to + 1;
    }
  }

  /**
   * A name part (each subcomponent), and each of its words when it has several (`Zebulon
   * Quixote` in one component, `Quixote, Zebulon`): free text names people by one word. Name
   * particles (`de`, `van`) alone are left out: they are ordinary words of text.
   */
  #addNameSubs(comp: string): void {
    const sub = (this.#enc as Hl7Encoding).subcomponent;
    let from = 0;
    for (;;) {
      let to = comp.indexOf(sub, from);
      if (to < 0) to = comp.length;
      const plain = this.#plain(comp.slice(from, to));
      this.#add(this.#names, plain);
      if (hasNameSeparator(plain)) for (const w of plain.split(NAME_SEPARATORS)) if (!PARTICLES.has(w.toLowerCase())) this.#add(this.#names, w);
      if (to >= comp.length) break;
      from = to + 1;
    }
  }

  /** Identifiers shorter than 4 characters (a set id, a check digit) would also erase ordinary numbers from text. */
  #add(list: string[], value: string | undefined): void {
    const p = this.#plain(value);
    if (p.length < (list === this.#identifiers || list === this.#phones ? 4 : 2)) return;
    list.push(p);
    this.values.add(p);
    // Ids and phones are also looked for in kept fields by their digits (`123456789`, `(555) 867-5309`), and the last seven of a phone's.
    if ((list === this.#identifiers || list === this.#phones) && p.length >= 7) {
      // Most ids have fewer than seven digits or nothing else: counted before anything is built.
      let n = 0;
      for (let i = 0; i < p.length; i++) if (isDigitCode(p.charCodeAt(i))) n += 1;
      if (n >= 7 && n < p.length) {
        const digits = p.replace(/\D+/gu, '');
        this.values.add(digits);
        if (list === this.#phones && n >= 10) this.values.add(digits.slice(-7));
      } else if (n >= 10 && list === this.#phones) {
        this.values.add(p.slice(-7));
      }
    }
  }

  #plain(s: string | undefined): string {
    if (s === undefined || s === '') return '';
    const enc = this.#enc as Hl7Encoding;
    // Nearly every value: no escape, no U+FFFC, and ends that trim() keeps (ASCII above space): itself.
    if (isPlain(s, enc.escape.charCodeAt(0))) return s;
    const text = s.includes(enc.escape) ? decodeHl7Text(s, enc).text : s;
    return (text.includes('\uFFFC') ? text.replace(/\uFFFC/gu, ' ') : text).trim();
  }
}

/**
 * The known identifiers of one message's segments: {@link Hl7KnownCollector} on a fresh collector
 * (the de-identifier keeps one collector; this form is for callers holding segment texts).
 */
export function collectKnownIdentifiers(segments: readonly string[], enc: Hl7Encoding, plan: KnownIdentifierPlan): KnownIdentifiers {
  const collector = new Hl7KnownCollector(plan);
  collector.reset(enc);
  for (const text of segments) collector.segment(text);
  return collector.known();
}

/** The values in first-seen order without repeats (what a `Set` built in that order gives). */
function unique(values: readonly string[]): string[] {
  if (values.length > 32) return [...new Set(values)];
  // A message's short lists: a linear look-back costs less than a Set.
  const out: string[] = [];
  for (const v of values) if (!out.includes(v)) out.push(v);
  return out;
}


/**
 * Whether `s` is its own {@link Hl7KnownCollector} `#plain` form: no escape character, no U+FFFC,
 * and first and last characters that `trim()` cannot remove (every character it removes is at
 * most U+0020 or outside ASCII).
 */
function isPlain(s: string, escape: number): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first <= 32 || first >= 127 || last <= 32 || last >= 127) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === escape || c === 0xfffc) return false;
  }
  return true;
}

function firstSub(comp: string | undefined, enc: Hl7Encoding): string {
  if (comp === undefined) return '';
  const i = comp.indexOf(enc.subcomponent);
  return i < 0 ? comp : comp.slice(0, i);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether a name part holds a space (any white space), comma, semicolon or slash: {@link NAME_SEPARATORS} without the regex. */
function hasNameSeparator(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 44 || c === 59 || c === 47 || (c >= 9 && c <= 13) || c === 0xa0 || (c > 0x1000 && /\s/u.test(s.charAt(i)))) return true;
  }
  return false;
}

function hasDigit(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}
