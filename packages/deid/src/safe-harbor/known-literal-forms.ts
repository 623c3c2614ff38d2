/**
 * The forms a known identifier is searched for (45 CFR §164.514(b)(2)(i): identifiers known from
 * structured data removed from free text, whatever their spacing, case or date spelling).
 */
import { isAsciiLiteral } from './ascii-folded-search.ts';
import { isSpaceCode } from './fold-text.ts';

const SIMPLE_SPACING = /\s\s|[^\S ]/u;
const NON_ASCII = /[^\x00-\x7F]/;
export const ISO_DATE = /^(\d{4})-?(\d{2})-?(\d{2})/;

/** The value NFC-normalised (only when it has a non-ASCII character) and trimmed. */
export function valueOf(raw: string): string {
  return (NON_ASCII.test(raw) ? raw.normalize('NFC') : raw).trim();
}

/**
 * The text one known value is searched for: NFC, trimmed, white-space runs as one space, lower
 * case; `undefined` when under two characters (it would erase ordinary text).
 */
export function literalOf(raw: string): string | undefined {
  const value = valueOf(raw);
  const text = (SIMPLE_SPACING.test(value) ? value.replace(/\s+/gu, ' ') : value).toLowerCase();
  return text.length < 2 ? undefined : text;
}

/**
 * Where `value` matches {@link ISO_DATE} (`YYYY[-]MM[-]DD` at its start, ASCII digits), without a
 * regular expression or a match object: the month's offset (4 or 5; the day's follows it, after
 * its own optional dash), or -1 when it does not match. An optional dash never needs backtracking:
 * where it is present, a digit cannot stand in its place.
 */
export function isoDateMonthAt(value: string): number {
  if (!(isDigitAt(value, 0) && isDigitAt(value, 1) && isDigitAt(value, 2) && isDigitAt(value, 3))) return -1;
  const mo = value.charCodeAt(4) === 45 ? 5 : 4;
  if (!(isDigitAt(value, mo) && isDigitAt(value, mo + 1))) return -1;
  const d = value.charCodeAt(mo + 2) === 45 ? mo + 3 : mo + 2;
  return isDigitAt(value, d) && isDigitAt(value, d + 1) ? mo : -1;
}

/** The day's offset in a value whose month is at `mo` ({@link isoDateMonthAt}). */
export const isoDateDayAt = (value: string, mo: number): number => (value.charCodeAt(mo + 2) === 45 ? mo + 3 : mo + 2);

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/** A two-digit month or day without its leading zero (`String(Number(x))` for two ASCII digits). */
export const unpadded = (x: string): string => (x.charCodeAt(0) === 48 ? x.slice(1) : x);

/** The ASCII digits of a value (what `value.replace(/\D/gu, '')` gives), without a regex: runs are sliced, not copied a character at a time. */
export function digitsOf(value: string): string {
  let out = '';
  let run = -1;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (run < 0) run = i;
    } else if (run >= 0) {
      out = run === 0 && i === value.length ? value : out + value.slice(run, i);
      run = -1;
    }
  }
  return out;
}

/** Literal spellings of one known date: as given, and `YYYYMMDD`, ISO, `M/D/YYYY`, `D.M.YYYY` with and without zeros. */
export function dateVariants(value: string): string[] {
  const out = [value];
  if (value.replace(/\D/gu, '').length >= 8) {
    const m = ISO_DATE.exec(value);
    if (m !== null) {
      const [, y = '', mo = '', d = ''] = m;
      const nm = String(Number(mo));
      const nd = String(Number(d));
      out.push(`${y}${mo}${d}`, `${y}-${mo}-${d}`);
      for (const mm of new Set([mo, nm])) for (const dd of new Set([d, nd])) out.push(`${mm}/${dd}/${y}`, `${dd}.${mm}.${y}`);
    }
  }
  return out;
}

const lowerAscii = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
export const keyOf = (text: string, i: number): number => (text.charCodeAt(i) << 16) | text.charCodeAt(i + 1);

/**
 * The key (first two characters of the literal) of a value, read from the raw value without
 * normalising it when that cannot change them: two ASCII non-space characters first, and an ASCII
 * third (a combining mark there would compose with the second under NFC). Otherwise `undefined`.
 */
export function cheapKey(raw: string): number | undefined {
  const c0 = raw.charCodeAt(0);
  const c1 = raw.charCodeAt(1);
  if (!(c0 < 0x80 && c1 < 0x80) || isSpaceCode(c0) || isSpaceCode(c1)) return undefined; // NaN fails `<`
  if (raw.length > 2 && !(raw.charCodeAt(2) < 0x80)) return undefined;
  return (lowerAscii(c0) << 16) | lowerAscii(c1);
}

/** A literal's part before its first space, or `null` when it is not ASCII (searched in ASCII texts). */
export function headOf(lit: string): string | null {
  if (!isAsciiLiteral(lit)) return null;
  const space = lit.indexOf(' ');
  return space < 0 ? lit : lit.slice(0, space);
}

