import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';

/** What the field rules ask of a message's known identifiers: is this (trimmed, lower-cased) value one. */
export interface KnownValueLookup {
  readonly size: number;
  has(lower: string): boolean;
  /** Whether a subcomponent (escaped) is, or with {@link Hl7KnownValues.words} holds, a known identifier. */
  isKnown(sub: string, enc: Hl7Encoding): boolean;
  /** Whether any subcomponent of `text[start, end)` (escaped) is {@link isKnown}. */
  anyIn(text: string, start: number, end: number, enc: Hl7Encoding): boolean;
}

const INITIAL_SLOTS = 256;

/**
 * A message's known identifiers, compared case-insensitively, for the fields the table keeps:
 * `has(v)` is true when `v` is the lower case of a value added. Kept as an open-addressing hash
 * table over the values' lower-cased characters, reused from message to message (a generation
 * stamp empties it), so the check of a kept field hashes its subcomponents where they lie in the
 * segment text: no slice, no `toLowerCase`, no `Set` per message.
 *
 * Before any hashing, a cheap pre-check: a subcomponent can only be a known value if, trimmed, it
 * is no longer than the longest and starts with a character one of them starts with. (Lower-casing
 * never shortens a string, and an ASCII character lower-cases to ASCII, so the pre-check rejects
 * nothing the exact test would accept; a subcomponent with escapes or non-ASCII characters takes
 * the exact path: decode, trim, lower-case, look up.)
 */
export class Hl7KnownValues implements KnownValueLookup {
  /**
   * Whether a subcomponent that holds a known value as whole words (`Zebulon Quixote` when
   * `Zebulon` is known; `x^Quixote,Zebulon`) counts as known, not only one equal to it: malformed
   * feeds put a name or an id inside the text of a code field. Words are runs of letters, digits
   * and non-ASCII characters; a match starts after a non-word character (or at the start) and
   * ends before one (or at the end).
   */
  readonly words: boolean;
  /** Each value as added (ASCII) or its lower case (otherwise); compared after ASCII lower-casing. */
  readonly #values: string[] = [];
  #slots = new Int32Array(INITIAL_SLOTS);
  #stamps = new Int32Array(INITIAL_SLOTS);
  #generation = 1;
  #maxLength = 0;
  /** Lower-case ASCII first characters of the values, as a 128-bit set in four words. */
  readonly #first = new Int32Array(4);
  /** With {@link words}: the values with a non-word character inside (compared in place), and their first characters. */
  readonly #parts: string[] = [];
  /** With {@link words}: the values' first two characters (ASCII, lower case) as a 128×128-bit set, their lengths (bit n: length n < 32) and whether one is longer. */
  readonly #pairs = new Int32Array(512);
  /**
   * {@link #parts} by their first two characters (ASCII, lower case: index `c0 << 7 | c1`): the
   * last part added under a pair (valid when its stamp is {@link #partGeneration}), each part
   * linking to the previous one; parts starting with a non-ASCII character in {@link #wideParts}.
   */
  readonly #partHead = new Int32Array(16384);
  readonly #partStamp = new Int32Array(16384);
  readonly #partNext: number[] = [];
  readonly #wideParts: number[] = [];
  #partGeneration = 1;
  #lengths = 0;
  #longValues = false;
  /** A one-character value was added (never by the collector): the pair pre-check is off. */
  #short = false;
  /** A value of seven or more digits alone was added: digit runs with separators are looked up by their digits. */
  #digitValues = false;

  constructor(values: Iterable<string> = [], words = false) {
    this.words = words;
    for (const v of values) this.add(v);
  }

  get size(): number {
    return this.#values.length;
  }

  clear(): void {
    if (this.#values.length === 0) return;
    this.#values.length = 0;
    this.#maxLength = 0;
    this.#first.fill(0);
    if (this.words) {
      if (this.#parts.length > 0) {
        this.#parts.length = 0;
        this.#partNext.length = 0;
        this.#wideParts.length = 0;
        this.#partGeneration += 1;
        if (this.#partGeneration === 0x7fffffff) {
          this.#partStamp.fill(0);
          this.#partGeneration = 1;
        }
      }
      this.#pairs.fill(0);
      this.#lengths = 0;
      this.#longValues = false;
      this.#short = false;
      this.#digitValues = false;
    }
    this.#generation += 1;
    if (this.#generation === 0x7fffffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
  }

  /** Adds one value, trimmed and not empty (its lower case is what is looked for). */
  add(value: string): void {
    // One pass hashes an ASCII value (the usual case), finds out whether it is one, and (for
    // {@link words}) whether it has a non-word character inside and whether it is all digits.
    let h = FNV_OFFSET;
    let wide = false;
    let part = false;
    let digits = true;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 128) {
        wide = true;
        break;
      }
      h = Math.imul(h ^ lowerAscii(c), FNV_PRIME);
      if (c < 48 || c > 57) {
        digits = false;
        if ((c | 32) < 97 || (c | 32) > 122) part = true;
      }
    }
    const stored = wide ? value.toLowerCase() : value;
    h = wide ? hashFolded(stored, 0, stored.length) : h >>> 0;
    if (this.#find(stored, 0, stored.length, h) >= 0) return;
    if ((this.#values.length + 1) * 2 > this.#slots.length) this.#grow();
    this.#values.push(stored);
    this.#insert(h, this.#values.length - 1);
    if (stored.length > this.#maxLength) this.#maxLength = stored.length;
    const c = lowerAscii(stored.charCodeAt(0));
    if (c < 128) this.#first[c >> 5] = (this.#first[c >> 5] ?? 0) | (1 << (c & 31));
    if (!this.words) return;
    if (wide) {
      // Rare: the lower-cased value, character by character (every non-ASCII character is a word character).
      part = false;
      digits = true;
      for (let i = 0; i < stored.length; i++) {
        const d = stored.charCodeAt(i);
        if (!isWordChar(d)) part = true;
        if (d < 48 || d > 57) digits = false;
      }
    }
    this.#addWords(stored, c, part, digits);
  }

  /** The pre-check sets of {@link words} for a value stored as `stored` (first character `c`, lower-cased; `part`: a non-word character inside). */
  #addWords(stored: string, c: number, part: boolean, digits: boolean): void {
    if (digits && stored.length >= 7) this.#digitValues = true;
    if (!part) {
      if (stored.length > 31) this.#longValues = true;
      else this.#lengths |= 1 << stored.length;
    }
    if (stored.length < 2) {
      this.#short = true;
      if (part) {
        const k = this.#parts.push(stored) - 1;
        this.#partNext[k] = -1;
        this.#wideParts.push(k);
      }
      return;
    }
    const c1 = lowerAscii(stored.charCodeAt(1));
    if (c < 128 && c1 < 128) {
      const i = (c << 7) | c1;
      this.#pairs[i >> 5] = (this.#pairs[i >> 5] ?? 0) | (1 << (i & 31));
      if (part) {
        const k = this.#parts.push(stored) - 1;
        this.#partNext[k] = this.#partStamp[i] === this.#partGeneration ? (this.#partHead[i] ?? -1) : -1;
        this.#partHead[i] = k;
        this.#partStamp[i] = this.#partGeneration;
      }
    } else if (part) {
      const k = this.#parts.push(stored) - 1;
      this.#partNext[k] = -1; // kept packed: every part has its link
      this.#wideParts.push(k);
    }
  }

  has(lower: string): boolean {
    // A string with an upper-case ASCII letter is no value's lower case.
    return !hasUpperAscii(lower) && this.#find(lower, 0, lower.length, hashFolded(lower, 0, lower.length)) >= 0;
  }

  /** Whether one subcomponent (escaped) is a known identifier (or, with {@link words}, holds one): the exact test. */
  isKnown(sub: string, enc: Hl7Encoding): boolean {
    // Values are at least two characters long (the collector's); a shorter subcomponent is no value, except for `words` (a one-character value of a test).
    if (sub.length < (this.words ? 1 : 2) || this.#values.length === 0) return false;
    const lower = (sub.includes(enc.escape) ? decodeHl7Text(sub, enc).text : sub).trim().toLowerCase();
    return this.has(lower) || (this.words && this.#holds(lower, 0, lower.length));
  }

  /** Whether any subcomponent of `text[start, end)` (a field, escaped) is a known identifier (or, with {@link words}, holds one). */
  anyIn(text: string, start: number, end: number, enc: Hl7Encoding): boolean {
    if (this.#values.length === 0) return false;
    if (this.words) return this.#anyWordIn(text, start, end, enc);
    const rep = enc.repetition.charCodeAt(0);
    const comp = enc.component.charCodeAt(0);
    const sub = enc.subcomponent.charCodeAt(0);
    const esc = enc.escape.charCodeAt(0);
    let from = start;
    let escaped = false;
    let wide = false;
    // A plain ASCII subcomponent without spaces at its ends (trimmed = as it is) is hashed only
    // when the pre-check (length, first character) lets it through: most are not hashed at all.
    for (let i = start; i <= end; i++) {
      const c = i < end ? text.charCodeAt(i) : -1;
      if (c !== -1 && c !== rep && c !== comp && c !== sub) {
        if (c === esc) escaped = true;
        else if (c >= 128) wide = true;
        continue;
      }
      if (i - from >= 2) {
        if (escaped) {
          if (this.isKnown(text.slice(from, i), enc)) return true;
        } else if (wide || isAsciiSpace(text.charCodeAt(from)) || isAsciiSpace(text.charCodeAt(i - 1))) {
          if (this.#inPlace(text, from, i, enc)) return true;
        } else if (i - from <= this.#maxLength && this.#startsLikeOne(text.charCodeAt(from)) && this.#find(text, from, i, hashFolded(text, from, i)) >= 0) {
          return true;
        }
      }
      from = i + 1;
      escaped = false;
      wide = false;
    }
    return false;
  }

  /**
   * {@link anyIn} with {@link words}, in one pass over the field: words are looked up where they
   * lie as the pass meets them. A word or value that touches an escape sequence, and a
   * subcomponent with non-ASCII characters, are left to the exact test of the decoded
   * subcomponent at its end ({@link isKnown}); every other word is the same in the decoded text,
   * with the same neighbours, so looking it up in place gives the same answer.
   */
  #anyWordIn(text: string, start: number, end: number, enc: Hl7Encoding): boolean {
    const rep = enc.repetition.charCodeAt(0);
    const comp = enc.component.charCodeAt(0);
    const sub = enc.subcomponent.charCodeAt(0);
    const esc = enc.escape.charCodeAt(0);
    const max = this.#maxLength;
    const parts = this.#parts.length > 0;
    let from = start;
    let escaped = false;
    let wide = false;
    let afterWord = false;
    let i = start;
    while (i <= end) {
      const c = i < end ? text.charCodeAt(i) : -1;
      if (c === -1 || c === rep || c === comp || c === sub) {
        if ((escaped || wide) && i > from && this.isKnown(text.slice(from, i), enc)) return true;
        from = i + 1;
        escaped = false;
        wide = false;
        afterWord = false;
        i += 1;
        continue;
      }
      if (escaped) {
        i += 1; // decided at the subcomponent's end
        continue;
      }
      if (c === esc) {
        escaped = true;
        i += 1;
        continue;
      }
      if (c < 128 && !isWordChar(c)) {
        if (parts && !afterWord && !isAsciiSpace(c) && this.#partIn(text, i, end, rep, comp, sub, esc, i + 1 < end ? text.charCodeAt(i + 1) : -1)) return true;
        afterWord = false;
        i += 1;
        continue;
      }
      // A word: letters, digits, non-ASCII characters (delimiters excepted).
      const c1 = i + 1 < end ? text.charCodeAt(i + 1) : -1;
      const pair = this.#pairLike(c, c1);
      if (parts && pair && !afterWord && this.#partIn(text, i, end, rep, comp, sub, esc, c1)) return true;
      let q = i + 1;
      for (; q < end; q++) {
        const d = text.charCodeAt(q);
        if (d < 128 ? !isWordChar(d) : d === rep || d === comp || d === sub || d === esc) break;
        if (d >= 128) wide = true;
      }
      // A number followed by a separator may be a grouped id, phone or date (`(555) 867-5309`; the `(` is no word).
      if (this.#digitValues && !afterWord && isDigit(c) && q + 1 < end && isGroupSeparator(text.charCodeAt(q)) && this.#digitRunAt(text, i, end, rep, comp, sub, esc)) return true;
      if (c >= 128) wide = true;
      const n = q - i;
      if (pair && !wide && n <= max && (q === end || text.charCodeAt(q) !== esc) && (n > 31 ? this.#longValues : ((this.#lengths >>> n) & 1) === 1) && this.#find(text, i, q, hashFolded(text, i, q)) >= 0) return true;
      afterWord = true;
      i = q;
    }
    return false;
  }

  /**
   * Whether `s[a, b)` (decoded and lower-cased: {@link isKnown}) holds a known value as whole
   * words. Each word is hashed and looked up only when some value of one word has its length and
   * starts with its first two characters; values with other characters inside (`12 Main St`,
   * `555-867-5309`, `o'brien`: a few per message) are compared in place where a match may start
   * with their first two characters.
   */
  #holds(s: string, a: number, b: number): boolean {
    const max = this.#maxLength;
    const parts = this.#parts.length > 0;
    let p = a;
    let afterWord = false;
    while (p < b) {
      const c = s.charCodeAt(p);
      if (!isWordChar(c)) {
        if (parts && !afterWord && !isAsciiSpace(c) && this.#partIn(s, p, b, -1, -1, -1, -1, p + 1 < b ? s.charCodeAt(p + 1) : -1)) return true;
        afterWord = false;
        p += 1;
        continue;
      }
      const c1 = p + 1 < b ? s.charCodeAt(p + 1) : -1;
      const pair = this.#pairLike(c, c1);
      if (parts && pair && !afterWord && this.#partIn(s, p, b, -1, -1, -1, -1, c1)) return true;
      let q = p + 1;
      while (q < b && isWordChar(s.charCodeAt(q))) q += 1;
      if (this.#digitValues && !afterWord && isDigit(c) && q + 1 < b && isGroupSeparator(s.charCodeAt(q)) && this.#digitRunAt(s, p, b, -1, -1, -1, -1)) return true;
      const n = q - p;
      if (pair && n <= max && (n > 31 ? this.#longValues : ((this.#lengths >>> n) & 1) === 1) && this.#find(s, p, q, hashFolded(s, p, q)) >= 0) return true;
      afterWord = true;
      p = q;
    }
    return false;
  }

  /**
   * Whether the run of digit groups starting at `p` (a digit: `555 867-5309`, `1950-05-04`; groups
   * joined by one of space - . / or by `)` and an optional space) has the digits of a known value
   * of seven or more digits, holds a separator (a run without one is a word, looked up as such)
   * and ends at a word boundary. The run is the longest one (no shorter run is tried); an escape
   * or a delimiter (codes, or -1 in decoded text) ends it. The digits are hashed as they are read
   * and compared where they lie: nothing is built.
   */
  #digitRunAt(s: string, p: number, b: number, rep: number, comp: number, sub: number, esc: number): boolean {
    let h = FNV_OFFSET;
    let n = 0;
    let q = p;
    let separated = false;
    for (;;) {
      while (q < b) {
        const c = s.charCodeAt(q);
        if (c < 48 || c > 57) break;
        h = Math.imul(h ^ c, FNV_PRIME);
        n += 1;
        q += 1;
      }
      if (q >= b) break;
      const c = s.charCodeAt(q);
      if (c === esc || c === rep || c === comp || c === sub) break;
      let r = q + 1;
      if (c === 41) {
        if (r < b && s.charCodeAt(r) === 32) r += 1;
      } else if (c !== 32 && c !== 45 && c !== 46 && c !== 47) break;
      if (r >= b || !isDigit(s.charCodeAt(r))) break;
      separated = true;
      q = r;
    }
    if (!separated || n < 7 || n > this.#maxLength) return false;
    if (q < b) {
      const c = s.charCodeAt(q);
      if (c === esc || c >= 128 || isWordChar(c)) return false;
    }
    const mask = this.#slots.length - 1;
    for (let slot = (h >>> 0) & mask; this.#stamps[slot] === this.#generation; slot = (slot + 1) & mask) {
      const v = this.#values[(this.#slots[slot] ?? 0) - 1] ?? '';
      if (v.length === n && sameDigits(v, s, p, q)) return true;
    }
    return false;
  }

  /** Whether some value starts with these two characters (case-insensitively; always for non-ASCII ones, whose lower case may differ). */
  #pairLike(c0: number, c1: number): boolean {
    if (this.#short) return true;
    if (c1 < 0) return false; // at the end: no value of two or more characters starts here
    if (c0 >= 128 || c1 >= 128) return true;
    const i = (lowerAscii(c0) << 7) | lowerAscii(c1);
    return ((this.#pairs[i >> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  /**
   * Whether a value with non-word characters inside starts at `p`, ends before `b` at a word
   * boundary that is not an escape, and covers no delimiter (the delimiters' codes, or -1 when
   * `s` is decoded text). Last characters are compared first: ids and OIDs share long prefixes.
   */
  #partIn(s: string, p: number, b: number, rep: number, comp: number, sub: number, esc: number, c1: number): boolean {
    const c0 = s.charCodeAt(p);
    if (this.#short || c1 < 0 || c0 >= 128 || c1 >= 128) {
      // Rare: a one-character value, or non-ASCII first characters: every part with no ASCII pair, then the pair's.
      for (const k of this.#wideParts) if (this.#partAt(k, s, p, b, rep, comp, sub, esc)) return true;
      if (c1 < 0 || c0 >= 128 || c1 >= 128) return false;
    }
    const i = (lowerAscii(c0) << 7) | lowerAscii(c1);
    if (this.#partStamp[i] !== this.#partGeneration) return false;
    for (let k = this.#partHead[i] ?? -1; k >= 0; k = this.#partNext[k] ?? -1) if (this.#partAt(k, s, p, b, rep, comp, sub, esc)) return true;
    return false;
  }

  /** Whether part `k` matches at `p` (see {@link #partIn}). Last characters are compared first: ids and OIDs share long prefixes. */
  #partAt(k: number, s: string, p: number, b: number, rep: number, comp: number, sub: number, esc: number): boolean {
    const v = this.#parts[k] ?? '';
    const e = p + v.length;
    if (e > b || lowerAscii(v.charCodeAt(v.length - 1)) !== lowerAscii(s.charCodeAt(e - 1))) return false;
    if (e < b) {
      const d = s.charCodeAt(e);
      if (d === esc || (d < 128 ? isWordChar(d) : d !== rep && d !== comp && d !== sub)) return false;
    }
    if (!sameFolded(v, s, p)) return false;
    if (rep < 0) return true;
    for (let j = p; j < e; j++) {
      const d = s.charCodeAt(j);
      if (d === rep || d === comp || d === sub || d === esc) return false;
    }
    return true;
  }


  /** Whether some value starts with this ASCII character (case-insensitively). */
  #startsLikeOne(c: number): boolean {
    const lower = lowerAscii(c);
    return ((this.#first[lower >> 5] ?? 0) & (1 << (lower & 31))) !== 0;
  }

  /** The check of an unescaped subcomponent `text[start, end)` (at least 2 characters) where it lies. */
  #inPlace(text: string, start: number, end: number, enc: Hl7Encoding): boolean {
    let a = start;
    let b = end;
    while (a < b && isAsciiSpace(text.charCodeAt(a))) a++;
    while (b > a && isAsciiSpace(text.charCodeAt(b - 1))) b--;
    const c = text.charCodeAt(a);
    const last = text.charCodeAt(b - 1);
    // Non-ASCII at an end: trim() may remove more (U+00A0, U+FEFF, ...), so no length bound holds: decide exactly.
    if (c >= 128 || last >= 128) return this.isKnown(text.slice(start, end), enc);
    if (b - a > this.#maxLength) return false;
    const lower = lowerAscii(c);
    if (((this.#first[lower >> 5] ?? 0) & (1 << (lower & 31))) === 0) return false;
    // ASCII ends: trim() removes exactly the ASCII spaces; inner non-ASCII characters lower-case on their own.
    for (let k = a; k < b; k++) if (text.charCodeAt(k) >= 128) return this.isKnown(text.slice(start, end), enc);
    return this.#find(text, a, b, hashFolded(text, a, b)) >= 0;
  }

  /** Index of the value equal, after ASCII lower-casing, to `s[a, b)` (ASCII lower-cased), or -1. */
  #find(s: string, a: number, b: number, h: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = h & mask; this.#stamps[slot] === this.#generation; slot = (slot + 1) & mask) {
      const k = (this.#slots[slot] ?? 0) - 1;
      const v = this.#values[k] ?? '';
      if (v.length === b - a && sameFolded(v, s, a)) return k;
    }
    return -1;
  }

  #insert(h: number, index: number): void {
    const mask = this.#slots.length - 1;
    let slot = h & mask;
    while (this.#stamps[slot] === this.#generation) slot = (slot + 1) & mask;
    this.#stamps[slot] = this.#generation;
    this.#slots[slot] = index + 1;
  }

  #grow(): void {
    const size = this.#slots.length * 2;
    this.#slots = new Int32Array(size);
    this.#stamps = new Int32Array(size);
    this.#generation = 1;
    for (let k = 0; k < this.#values.length; k++) {
      const v = this.#values[k] ?? '';
      this.#insert(hashFolded(v, 0, v.length), k);
    }
  }
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the ASCII-lower-cased UTF-16 units of `s[a, b)`. */
function hashFolded(s: string, a: number, b: number): number {
  let h = FNV_OFFSET;
  for (let i = a; i < b; i++) h = Math.imul(h ^ lowerAscii(s.charCodeAt(i)), FNV_PRIME);
  return h >>> 0;
}

function sameFolded(v: string, s: string, a: number): boolean {
  for (let i = 0; i < v.length; i++) if (lowerAscii(v.charCodeAt(i)) !== lowerAscii(s.charCodeAt(a + i))) return false;
  return true;
}

function hasUpperAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** Whether `v` (digits) is the digits of `s[p, q)` in order, other characters skipped. */
function sameDigits(v: string, s: string, p: number, q: number): boolean {
  let k = 0;
  for (let j = p; j < q; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) continue;
    if (v.charCodeAt(k) !== c) return false;
    k += 1;
  }
  return k === v.length;
}

/** Space - . / ) : what may follow a group of digits inside a grouped number. */
function isGroupSeparator(c: number): boolean {
  return c === 32 || c === 45 || c === 46 || c === 47 || c === 41;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters, digits and every non-ASCII character (a word's characters for {@link Hl7KnownValues.words}). */
function isWordChar(c: number): boolean {
  return c >= 128 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
