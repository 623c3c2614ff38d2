import type { KnownIdentifiers } from '../text/text-deidentifier.ts';

/** Characters of a known value's head compared; more would reject more texts, fewer cost less. */
const KEY_LENGTH = 4;

/**
 * A conservative, exact test run before the known-identifier text engine
 * (`KnownIdentifiersTextDeidentifier`, 45 CFR §164.514(b)(2)(i)) on one free-text value: when it
 * says the text cannot hold any of the message's known identifiers, the engine would return the
 * text unchanged with no span, so the engine, and preparing a matcher for a new patient, are
 * skipped. It never says so for a text the engine would change (hl7-text-prefilter.test.ts
 * checks it against the engine with fast-check). Why it holds, for the engine as it matches:
 *
 * - numbers (ids, phones in any spelling) and dates are matched only in a text with an ASCII digit,
 *   and a value with a digit keeps it in its literal: a text without digits needs neither;
 * - an ASCII text is matched by each literal (the value trimmed, lower-cased, white-space runs as
 *   one space) standing in its lower case, each space taking a white-space run: the match starts
 *   with the literal's head (up to its first space), so with the head's first {@link KEY_LENGTH}
 *   characters, which the lower-cased text must then contain;
 * - a text or a value with any non-ASCII character is not judged (folding could map it): the
 *   engine runs.
 */
export class KnownTextKeys {
  #lists: readonly (readonly string[] | undefined)[];
  /** Whether the keys below are those of {@link #lists} (made for the first text without digits). */
  #ready = false;
  /** A value with a non-ASCII character: every text goes to the engine. */
  #wide = false;
  /** One bit per (first, second) character pair of a literal ({@link pairOf}): 128 × 128 bits. */
  readonly #pairBits = new Int32Array(512);
  /** The pairs set, so that {@link reset} clears only those bits. */
  readonly #pairs: number[] = [];
  /** Lower-cased head prefixes of the known values without digits, and their pairs. */
  readonly #keys: string[] = [];
  readonly #keyPairs: number[] = [];

  /** `lists`: the known values (read when first needed, so complete by then; not copied). */
  constructor(lists: readonly (readonly string[] | undefined)[] = []) {
    this.#lists = lists;
  }

  /** Starts again on other (or refilled) lists; the bit table is kept and cleared. */
  reset(lists: readonly (readonly string[] | undefined)[] = this.#lists): void {
    this.#lists = lists;
    if (!this.#ready) return;
    this.#ready = false;
    this.#wide = false;
    for (const pair of this.#pairs) this.#pairBits[pair >> 5] = 0;
    this.#pairs.length = 0;
    this.#keys.length = 0;
    this.#keyPairs.length = 0;
  }

  /** Whether the engine could find a known identifier in `text` (decoded, as the engine gets it). */
  mayHold(text: string): boolean {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || (c >= 48 && c <= 57)) return true;
    }
    if (n < 2) return false; // every literal that can match has two characters or more
    if (!this.#ready) this.#makeKeys();
    if (this.#wide) return true;
    if (this.#keys.length === 0) return false;
    const bits = this.#pairBits;
    // A literal matches (ascii-folded-search.ts) where its first two characters do (a space
    // taking a white-space character), then its head's first characters: look only there.
    let pair = norm(text.charCodeAt(0));
    for (let i = 0; i + 1 < n; i++) {
      pair = ((pair & 127) << 7) | norm(text.charCodeAt(i + 1));
      if (((bits[pair >> 5] ?? 0) & (1 << (pair & 31))) !== 0 && this.#keyAt(text, i, pair)) return true;
    }
    return false;
  }

  /** Whether a key with this first pair starts at `text[i]` (ASCII lower-cased). */
  #keyAt(text: string, i: number, pair: number): boolean {
    const keys = this.#keys;
    for (let k = 0; k < keys.length; k++) {
      if (this.#keyPairs[k] !== pair) continue;
      const key = keys[k] as string;
      let j = 0;
      while (j < key.length && lowerAscii(text.charCodeAt(i + j)) === key.charCodeAt(j)) j++;
      if (j === key.length) return true;
    }
    return false;
  }

  #makeKeys(): void {
    this.#ready = true;
    for (const list of this.#lists) {
      if (list === undefined) continue;
      for (const value of list) if (!this.#add(value)) return;
    }
  }

  /** Adds a value's key; false when the value is not ASCII (then {@link #wide}: nothing more is needed). */
  #add(value: string): boolean {
    let b = value.length;
    for (let i = 0; i < b; i++) {
      const c = value.charCodeAt(i);
      if (c >= 128) {
        this.#wide = true;
        return false;
      }
      if (c >= 48 && c <= 57) return true; // only matched in texts with digits
    }
    let a = 0;
    while (a < b && isAsciiSpace(value.charCodeAt(a))) a++;
    while (b > a && isAsciiSpace(value.charCodeAt(b - 1))) b--;
    // A literal under two characters never matches; a longer one starts with no space.
    if (b - a < 2) return true;
    let e = a;
    while (e < b && e - a < KEY_LENGTH && !isAsciiSpace(value.charCodeAt(e))) e++;
    const pair = pairOf(value.charCodeAt(a), value.charCodeAt(a + 1));
    const bit = 1 << (pair & 31);
    const word = this.#pairBits[pair >> 5] ?? 0;
    if ((word & bit) === 0) {
      this.#pairBits[pair >> 5] = word | bit;
      this.#pairs.push(pair);
    }
    this.#keys.push(value.slice(a, e).toLowerCase());
    this.#keyPairs.push(pair);
    return true;
  }
}

/** The lists of a {@link KnownIdentifiers}, in a fixed order. */
export function knownLists(known: KnownIdentifiers): (readonly string[] | undefined)[] {
  return [known.names, known.addresses, known.identifiers, known.phones, known.emails, known.dates];
}

/** ASCII lower case; the same code otherwise. */
function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

/** A character as it compares in a pair: ASCII lower-cased, ASCII white space as a space, above ASCII as 127 (none is in a key). */
function norm(c: number): number {
  return isAsciiSpace(c) ? 32 : c >= 128 ? 127 : lowerAscii(c);
}

/** The 14-bit code of two characters as they compare ({@link norm}). */
function pairOf(c0: number, c1: number): number {
  return (norm(c0) << 7) | norm(c1);
}

/** ECMAScript `\s` restricted to ASCII (what `trim()` and the engine's white-space runs take there). */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
