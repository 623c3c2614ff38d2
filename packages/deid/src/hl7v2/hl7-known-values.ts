import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';

/** What the field rules ask of a message's known identifiers: is this (trimmed, lower-cased) value one. */
export interface KnownValueLookup {
  readonly size: number;
  has(lower: string): boolean;
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
  /** Each value as added (ASCII) or its lower case (otherwise); compared after ASCII lower-casing. */
  readonly #values: string[] = [];
  #slots = new Int32Array(INITIAL_SLOTS);
  #stamps = new Int32Array(INITIAL_SLOTS);
  #generation = 1;
  #maxLength = 0;
  /** Lower-case ASCII first characters of the values, as a 128-bit set in four words. */
  readonly #first = new Int32Array(4);

  constructor(values: Iterable<string> = []) {
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
    this.#generation += 1;
    if (this.#generation === 0x7fffffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
  }

  /** Adds one value, trimmed and not empty (its lower case is what is looked for). */
  add(value: string): void {
    // One pass hashes an ASCII value (the usual case) and finds out whether it is one.
    let h = FNV_OFFSET;
    let wide = false;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 128) {
        wide = true;
        break;
      }
      h = Math.imul(h ^ lowerAscii(c), FNV_PRIME);
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
  }

  has(lower: string): boolean {
    // A string with an upper-case ASCII letter is no value's lower case.
    return !hasUpperAscii(lower) && this.#find(lower, 0, lower.length, hashFolded(lower, 0, lower.length)) >= 0;
  }

  /** Whether one subcomponent (escaped) is a known identifier: the exact test. */
  isKnown(sub: string, enc: Hl7Encoding): boolean {
    return sub.length >= 2 && this.has((sub.includes(enc.escape) ? decodeHl7Text(sub, enc).text : sub).trim().toLowerCase());
  }

  /** Whether any subcomponent of `text[start, end)` (a field, escaped) is a known identifier. */
  anyIn(text: string, start: number, end: number, enc: Hl7Encoding): boolean {
    if (this.#values.length === 0) return false;
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

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
