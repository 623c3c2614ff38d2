import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';

/**
 * A message's known identifiers (lower-cased) and a cheap pre-check over them, for the fields the
 * table keeps: a subcomponent can only be one of them if, trimmed, it is no longer than the
 * longest and starts with a letter or digit one of them starts with. Only candidates that pass
 * are sliced, lower-cased and looked up. (Lower-casing never shortens a string, and an ASCII
 * character lower-cases to ASCII, so the pre-check rejects nothing the exact test would accept.)
 *
 * One instance serves every message of a de-identifier: {@link clear} empties it, {@link add}
 * fills it while the message's identifiers are collected.
 */
export class Hl7KnownValues {
  #values = new Set<string>();
  #maxLength = 0;
  /** Lower-case ASCII first characters of the values, as a 128-bit set in four words. */
  readonly #first = new Int32Array(4);

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  get values(): ReadonlySet<string> {
    return this.#values;
  }

  clear(): void {
    if (this.#values.size === 0) return;
    this.#values = new Set(); // not `clear()`: see Hl7KnownCollector
    this.#maxLength = 0;
    this.#first.fill(0);
  }

  /** Adds one value, already lower-cased. */
  add(lower: string): void {
    this.#values.add(lower);
    if (lower.length > this.#maxLength) this.#maxLength = lower.length;
    const c = lower.charCodeAt(0);
    if (c < 128) this.#first[c >> 5] = (this.#first[c >> 5] ?? 0) | (1 << (c & 31));
  }

  /** Whether one subcomponent (escaped) is a known identifier: the exact test, used for every candidate. */
  isKnown(sub: string, enc: Hl7Encoding): boolean {
    return sub.length >= 2 && this.values.has((sub.includes(enc.escape) ? decodeHl7Text(sub, enc).text : sub).trim().toLowerCase());
  }

  /** Whether any subcomponent of `text[start, end)` (a field, escaped) is a known identifier. */
  anyIn(text: string, start: number, end: number, enc: Hl7Encoding): boolean {
    if (this.values.size === 0) return false;
    const rep = enc.repetition.charCodeAt(0);
    const comp = enc.component.charCodeAt(0);
    const sub = enc.subcomponent.charCodeAt(0);
    const esc = enc.escape.charCodeAt(0);
    let from = start;
    let escaped = false;
    for (let i = start; i <= end; i++) {
      const c = i < end ? text.charCodeAt(i) : -1;
      if (c === esc) escaped = true;
      if (c !== -1 && c !== rep && c !== comp && c !== sub) continue;
      if (i - from >= 2 && (escaped || this.#candidate(text, from, i)) && this.isKnown(text.slice(from, i), enc)) return true;
      from = i + 1;
      escaped = false;
    }
    return false;
  }

  /** The pre-check on an unescaped subcomponent; true (look it up) whenever it cannot decide cheaply. */
  #candidate(text: string, start: number, end: number): boolean {
    let a = start;
    let b = end;
    while (a < b && isAsciiSpace(text.charCodeAt(a))) a++;
    while (b > a && isAsciiSpace(text.charCodeAt(b - 1))) b--;
    if (b - a > this.#maxLength) return false;
    const c = text.charCodeAt(a);
    const last = text.charCodeAt(b - 1);
    if (c >= 128 || last >= 128) return true; // non-ASCII at an end: trim() may remove more, decide exactly
    const lower = c >= 65 && c <= 90 ? c | 32 : c;
    return ((this.#first[lower >> 5] ?? 0) & (1 << (lower & 31))) !== 0;
  }
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
