/**
 * Searching an ASCII text for folded literals without folding the text (45 CFR §164.514(b)(2)(i):
 * known identifiers removed from free text whatever the spacing or case).
 *
 * For an ASCII text, {@link foldText} is `text.toLowerCase()` with every white-space run made one
 * space, and every other character kept in place. A literal (trimmed, single spaces: `literalOf`)
 * therefore occurs in the folded text exactly where it occurs in the lower-cased text with each of
 * its spaces standing for a whole white-space run; the characters around it are the same or white
 * space on both sides, so whole-word checks agree, and offsets need no mapping back.
 */

/** Whether every UTF-16 unit of `text` is ASCII: any other unit takes two or more UTF-8 bytes (a lone surrogate three). */
export function isAsciiText(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/** ECMAScript `\s` restricted to ASCII: space, tab, LF, VT, FF, CR. */
export const isAsciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** ASCII letter or digit (what `isWordAt` tests for an ASCII character); `NaN` (outside) is not. */
export const isAsciiWord = (c: number): boolean => (c >= 97 ? c <= 122 : c >= 65 ? c <= 90 : c >= 48 && c <= 57);

/**
 * Where `lit`, from its character `from` on, ends when matched in `lower` at `at`: each space of
 * `lit` takes a whole run of white space (at least one character), every other character itself.
 * `-1` when it does not match. `lit` is ASCII, trimmed, with single spaces.
 */
export function matchRunsAt(lower: string, at: number, lit: string, from: number): number {
  let q = at;
  const n = lower.length;
  for (let k = from; k < lit.length; k++) {
    const c = lit.charCodeAt(k);
    if (c === 32) {
      if (q >= n || !isAsciiSpace(lower.charCodeAt(q))) return -1;
      q += 1;
      while (q < n && isAsciiSpace(lower.charCodeAt(q))) q += 1;
    } else {
      if (lower.charCodeAt(q) !== c) return -1;
      q += 1;
    }
  }
  return q;
}

/** Whether a literal can occur in an ASCII text at all. */
export function isAsciiLiteral(lit: string): boolean {
  return Buffer.byteLength(lit, 'utf8') === lit.length;
}
