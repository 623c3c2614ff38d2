/**
 * White-space and case folding for the known-identifier scan (45 CFR §164.514(b)(2)(i): known
 * identifiers removed from free text wherever they appear, whatever the spacing or case).
 * Written for speed: these run over every free-text value of every record.
 */

/** Text folded for matching, and a map from each folded character back to the original. */
export interface FoldedText {
  readonly folded: string;
  /** Offset in the original of each folded character; undefined when they map one to one. */
  readonly offsets: readonly number[] | undefined;
}

const SIMPLE_SPACING = /\s\s|[^\S ]/u;
const NON_ASCII = /[^\x00-\x7F]/;
const WS_RUN = /\s+/gu;
const WORD = /[\p{L}\p{N}]/u;

/**
 * Collapses every run of white space (ECMAScript `\s`) to one space and lower-cases each
 * character on its own (a character whose lower case is longer stays as it is), so each folded
 * character has one original offset.
 */
export function foldText(text: string): FoldedText {
  // Single spaces only and a lower-case form of the same length: offsets are the identity.
  if (!SIMPLE_SPACING.test(text)) {
    const lower = text.toLowerCase();
    if (lower.length === text.length) return { folded: lower, offsets: undefined };
  }
  return NON_ASCII.test(text) ? foldEachCharacter(text) : foldAscii(text);
}

/** ASCII: lower-casing whole runs equals lower-casing each character. */
function foldAscii(text: string): FoldedText {
  let folded = '';
  const offsets: number[] = [];
  let last = 0;
  for (const m of text.matchAll(WS_RUN)) {
    folded += `${text.slice(last, m.index).toLowerCase()} `;
    for (let k = last; k <= m.index; k++) offsets.push(k);
    last = m.index + m[0].length;
  }
  folded += text.slice(last).toLowerCase();
  for (let k = last; k < text.length; k++) offsets.push(k);
  return { folded, offsets };
}

function foldEachCharacter(text: string): FoldedText {
  let folded = '';
  const offsets: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpaceCode(c)) {
      if (!space) {
        folded += ' ';
        offsets.push(i);
      }
      space = true;
      continue;
    }
    space = false;
    const ch = text.charAt(i);
    const lower = c < 0x80 ? (c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch) : ch.toLowerCase();
    // Keep one folded character per original character so offsets stay exact.
    folded += lower.length === 1 ? lower : ch;
    offsets.push(i);
  }
  return { folded, offsets };
}

/** ECMAScript `\s` (WhiteSpace and LineTerminator, ECMA-262 §22.2.2.9) for one UTF-16 code unit. */
export function isSpaceCode(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whether `text[i]` is a letter or a digit (Unicode `\p{L}` or `\p{N}`); false outside the text. */
export function isWordAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return WORD.test(text.charAt(i));
}
