/**
 * White-space and case folding for the known-identifier scan (45 CFR §164.514(b)(2)(i): known
 * identifiers removed from free text wherever they appear, whatever the spacing or case).
 * Written for speed: these run over every free-text value of every record.
 */

/**
 * Text folded for matching. Folded characters map one to one onto the original except where a
 * white-space run collapsed: `starts[k]` (folded index) maps to `origins[k]` (original index),
 * and the characters after it follow one by one until the next break.
 */
export interface FoldedText {
  readonly folded: string;
  readonly starts: readonly number[];
  readonly origins: readonly number[];
}

const SIMPLE_SPACING = /\s\s|[^\S ]/u;
const NON_ASCII = /[^\x00-\x7F]/;
const WORD = /[\p{L}\p{N}]/u;
const IDENTITY: readonly number[] = [0];

/**
 * Collapses every run of white space (ECMAScript `\s`) to one space and lower-cases each
 * character on its own (a character whose lower case is longer stays as it is), so each folded
 * character has one original offset ({@link originalOffset}).
 */
export function foldText(text: string): FoldedText {
  // Single spaces only and a lower-case form of the same length: offsets are the identity.
  if (!SIMPLE_SPACING.test(text)) {
    const lower = text.toLowerCase();
    if (lower.length === text.length) return { folded: lower, starts: IDENTITY, origins: IDENTITY };
  }
  return NON_ASCII.test(text) ? foldEachCharacter(text) : foldAscii(text);
}

/** The original offset of folded character `i`. */
export function originalOffset(f: FoldedText, i: number): number {
  const { starts, origins } = f;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= i) lo = mid;
    else hi = mid - 1;
  }
  return (origins[lo] ?? 0) + i - (starts[lo] ?? 0);
}

/** ASCII: lower-casing the whole text equals lower-casing each character. */
function foldAscii(text: string): FoldedText {
  const lower = text.toLowerCase();
  const starts = [0];
  const origins = [0];
  let folded = '';
  let last = 0;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c !== 32 && (c < 9 || c > 13)) {
      i += 1;
      continue;
    }
    let j = i + 1;
    for (let d = text.charCodeAt(j); j < n && (d === 32 || (d >= 9 && d <= 13)); d = text.charCodeAt(++j));
    if (j - i > 1 || c !== 32) {
      folded += `${lower.slice(last, i)} `;
      last = j;
      starts.push(folded.length);
      origins.push(j);
    }
    i = j;
  }
  folded += lower.slice(last);
  return { folded, starts, origins };
}

function foldEachCharacter(text: string): FoldedText {
  let folded = '';
  const starts = [0];
  const origins = [0];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpaceCode(c)) {
      if (!space) folded += ' ';
      space = true;
      continue;
    }
    if (space) {
      starts.push(folded.length);
      origins.push(i);
    }
    space = false;
    const ch = text.charAt(i);
    const lower = c < 0x80 ? (c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch) : ch.toLowerCase();
    // Keep one folded character per original character so offsets stay exact.
    folded += lower.length === 1 ? lower : ch;
  }
  return { folded, starts, origins };
}

/** ECMAScript `\s` (WhiteSpace and LineTerminator, ECMA-262 §22.2.2.9) for one UTF-16 code unit. */
export function isSpaceCode(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Letters of scripts written without spaces between words (Han, Hiragana, Katakana, Thai, Lao,
 * Khmer, Myanmar), and Hangul, whose particles attach to the word before them (홍길동은): there no
 * space sets a name off, so a letter of these scripts is no word boundary's obstacle.
 */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** Whether `text[i]` is a letter of a script written without spaces between words ({@link UNSPACED}); false outside the text. */
export function isUnspacedAt(text: string, i: number): boolean {
  // Every such script lies at U+0E00 (Thai) or above.
  return i >= 0 && i < text.length && text.charCodeAt(i) >= 0x0e00 && UNSPACED.test(text.charAt(i));
}

/**
 * Whether `text[start, end)` stands alone as a word: no letter or digit joins it on either side,
 * or the letters that meet there belong to a script written without spaces ({@link UNSPACED}) —
 * then only for two characters or more (one Han character alone is too often part of another
 * word: 王 in 王国).
 */
export function standsAlone(text: string, start: number, end: number): boolean {
  const unspacedOk = end - start >= 2;
  const before = !isWordAt(text, start - 1) || (unspacedOk && (isUnspacedAt(text, start - 1) || isUnspacedAt(text, start)));
  return before && (!isWordAt(text, end) || (unspacedOk && (isUnspacedAt(text, end) || isUnspacedAt(text, end - 1))));
}

/** Whether `text[i]` is a letter or a digit (Unicode `\p{L}` or `\p{N}`); false outside the text. */
export function isWordAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return WORD.test(text.charAt(i));
}
