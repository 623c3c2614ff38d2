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
  readonly #lists: readonly (readonly string[] | undefined)[];
  /** Lower-cased head prefixes of the known values without digits; made for the first text without digits. */
  #keys: string[] | undefined;
  /** A value with a non-ASCII character: every text goes to the engine. */
  #wide = false;

  /** `lists`: the known values (read when first needed, so complete by then; not copied). */
  constructor(lists: readonly (readonly string[] | undefined)[]) {
    this.#lists = lists;
  }

  /** Whether the engine could find a known identifier in `text` (decoded, as the engine gets it). */
  mayHold(text: string): boolean {
    if (text === '') return false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || (c >= 48 && c <= 57)) return true;
    }
    const keys = this.#keys ?? this.#makeKeys();
    if (this.#wide) return true;
    if (keys.length === 0) return false;
    const lower = text.toLowerCase();
    for (let k = 0; k < keys.length; k++) if (lower.includes(keys[k] as string)) return true;
    return false;
  }

  #makeKeys(): string[] {
    const keys: string[] = [];
    this.#keys = keys;
    for (const list of this.#lists) {
      if (list === undefined) continue;
      for (const value of list) if (!this.#add(keys, value)) return keys;
    }
    return keys;
  }

  /** Adds a value's key; false when the value is not ASCII (then {@link #wide}: nothing more is needed). */
  #add(keys: string[], value: string): boolean {
    let a = 0;
    let b = value.length;
    for (let i = 0; i < b; i++) {
      const c = value.charCodeAt(i);
      if (c >= 128) {
        this.#wide = true;
        return false;
      }
      if (c >= 48 && c <= 57) return true; // only matched in texts with digits
    }
    while (a < b && isAsciiSpace(value.charCodeAt(a))) a++;
    while (b > a && isAsciiSpace(value.charCodeAt(b - 1))) b--;
    let e = a;
    while (e < b && e - a < KEY_LENGTH && !isAsciiSpace(value.charCodeAt(e))) e++;
    if (e === a) return true; // only white space: no literal
    const key = value.slice(a, e).toLowerCase();
    if (!keys.includes(key)) keys.push(key);
    return true;
  }
}

/** The lists of a {@link KnownIdentifiers}, in a fixed order. */
export function knownLists(known: KnownIdentifiers): (readonly string[] | undefined)[] {
  return [known.names, known.addresses, known.identifiers, known.phones, known.emails, known.dates];
}

/** ECMAScript `\s` restricted to ASCII (what `trim()` and the engine's white-space runs take there). */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
