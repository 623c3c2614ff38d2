import type { DetectedSpan } from '../detected-span.ts';

// Look-ups the document-context rules share: word boundaries and the spans found so far.

const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Whether the character at `at` is a letter or a digit (false outside the text). */
export function isWordChar(text: string, at: number): boolean {
  const ch = text[at];
  if (ch === undefined) return false;
  const code = ch.charCodeAt(0);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return WORD_CHAR.test(ch);
}

/** Whether [start, end) lies inside one of the sorted, non-overlapping spans (binary search). */
export function covered(spans: readonly DetectedSpan[], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid];
    if (s === undefined) return false;
    if (s.end <= start) lo = mid + 1;
    else if (s.start > start) hi = mid - 1;
    else return s.end >= end;
  }
  return false;
}
