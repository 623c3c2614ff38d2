import type { KnownIdentifiers } from '../../src/text/text-deidentifier.ts';
import type { Hl7Encoding } from '../../src/hl7v2/hl7-encoding.ts';
import { decodeHl7Text } from '../../src/hl7v2/hl7-escape.ts';

/**
 * TEST ORACLE: the values a kept field is checked against, and the check, written as plainly as
 * possible (docs/deid/hl7v2.md, "Malformed and unusual shapes"). The values are every known
 * identifier lower-cased, plus the digit forms: an id's or phone's digits when it has seven or
 * more (a phone's last seven when it has ten or more), and the birth date as YYYYMMDD, MMDDYYYY
 * and DDMMYYYY.
 */
export class ReferenceKnownValues {
  readonly #set = new Set<string>();
  #longest = 0;

  constructor(known: KnownIdentifiers) {
    for (const list of [known.names, known.identifiers, known.phones, known.emails, known.addresses]) for (const v of list ?? []) this.#add(v);
    for (const list of [known.identifiers, known.phones]) {
      for (const v of list ?? []) {
        const digits = v.replace(/\D/gu, '');
        if (digits.length < 7) continue;
        this.#add(digits);
        if (list === known.phones && digits.length >= 10) this.#add(digits.slice(-7));
      }
    }
    for (const iso of known.dates ?? []) {
      const [y = '', m = '', d = ''] = iso.split('-');
      for (const form of [y + m + d, m + d + y, d + m + y]) this.#add(form);
    }
  }

  get size(): number {
    return this.#set.size;
  }

  #add(v: string): void {
    const lower = v.toLowerCase();
    this.#set.add(lower);
    this.#longest = Math.max(this.#longest, lower.length);
  }

  /** Whether a subcomponent (escaped) holds a known value, decoded, trimmed and lower-cased. */
  isKnown(sub: string, enc: Hl7Encoding): boolean {
    if (sub === '' || this.#set.size === 0) return false;
    return this.#holds(decodeHl7Text(sub, enc).text.trim().toLowerCase());
  }

  /**
   * Whether `s` holds a value between word boundaries (words: letters, digits, non-ASCII), every
   * start and end tried; or a run of digit groups (joined by space - . / or `)` and an optional
   * space, with at least one such separator) whose digits are a value of seven or more digits.
   */
  #holds(s: string): boolean {
    for (let p = 0; p < s.length; p++) {
      if (p > 0 && isWord(s.charAt(p - 1))) continue;
      for (let q = p + 1; q <= Math.min(s.length, p + this.#longest); q++) if ((q === s.length || !isWord(s.charAt(q))) && this.#set.has(s.slice(p, q))) return true;
      const m = DIGIT_RUN.exec(s.slice(p));
      const run = m?.[2];
      if (m === null || run === undefined || !/\D/u.test(run)) continue;
      const after = s.charAt(p + (m[1]?.length ?? 0) + run.length);
      const digits = run.replace(/\D/gu, '');
      if (digits.length >= 7 && (after === '' || !isWord(after)) && this.#set.has(digits)) return true;
    }
    return false;
  }
}

/** The longest run of digit groups at the start (after an optional `(`). */
const DIGIT_RUN = /^(\(?)(\d+(?:(?:\) ?|[ \-./])\d+)*)/u;

function isWord(ch: string): boolean {
  return ch.charCodeAt(0) >= 128 || /[A-Za-z0-9]/u.test(ch);
}
