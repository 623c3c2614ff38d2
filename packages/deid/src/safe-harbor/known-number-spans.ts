/**
 * Known numbers (ids, phones) written with other separators than in the structured data
 * (45 CFR §164.514(b)(2)(i)(G)-(K), (R)): `123-45-6789` = `123 45 6789` = `123456789`.
 */
import type { SafeHarborCategory } from './categories.ts';
import { isSpaceCode, standsAlone } from './fold-text.ts';
import type { TextSpan } from '../text/text-deidentifier.ts';

/** What a number's span is reported as. */
export interface NumberKind {
  readonly category: SafeHarborCategory;
  readonly detector: string;
}

/** The digit strings of the known numbers (four digits or more) and the shortest and longest of them. */
export interface KnownNumbers {
  readonly byDigits: ReadonlyMap<string, NumberKind>;
  readonly min: number;
  readonly max: number;
  /**
   * `/\d/g`, owned by these numbers (its `lastIndex` is state): a run of digits with the separators
   * people write inside numbers, `\d(?:[\s\-.()/]{0,3}\d)*`, is followed by hand from each first
   * digit, which is found natively (`test` on a global expression: no match object).
   */
  readonly firstDigit: RegExp;
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
/** `[\s\-.()/]` for one UTF-16 code unit (`NaN`, outside the text, is none). */
const isNumberSeparator = (c: number): boolean => c === 45 || c === 46 || c === 40 || c === 41 || c === 47 || isSpaceCode(c);

/**
 * Pushes onto `found` every known number in `text`: every run of digits with up to three
 * separators between them, and every contiguous sequence of its digit groups, so
 * `MRN 100000000 2024` still finds the MRN. `groupStarts`/`groupEnds` are scratch arrays.
 */
export function pushNumberSpans(text: string, numbers: KnownNumbers, groupStarts: number[], groupEnds: number[], found: TextSpan[]): void {
  const { byDigits, min, max, firstDigit } = numbers;
  if (byDigits.size === 0) return;
  const n = text.length;
  firstDigit.lastIndex = 0;
  while (firstDigit.test(text)) {
    // The run: it goes on over at most three separators followed by a digit (a fourth separator,
    // or another character, ends it after its last digit).
    let groups = 0;
    let total = 0;
    let q = firstDigit.lastIndex - 1;
    for (;;) {
      const s = q;
      while (q < n && isDigitCode(text.charCodeAt(q))) q += 1;
      groupStarts[groups] = s;
      groupEnds[groups] = q;
      groups += 1;
      total += q - s;
      let k = 0;
      while (k < 3 && isNumberSeparator(text.charCodeAt(q + k))) k += 1;
      if (!isDigitCode(text.charCodeAt(q + k))) break;
      q += k;
    }
    firstDigit.lastIndex = q;
    if (total < min) continue; // no sequence of its groups is long enough
    for (let a = 0; a < groups; a++) {
      const start = groupStarts[a] as number;
      let digits = '';
      for (let b = a; b < groups; b++) {
        const end = groupEnds[b] as number;
        digits += text.slice(groupStarts[b], end);
        if (digits.length > max) break;
        if (digits.length < min) continue;
        const kind = byDigits.get(digits);
        if (kind !== undefined && standsAlone(text, start, end)) found.push({ start, end, category: kind.category, detector: kind.detector });
      }
    }
  }
}
