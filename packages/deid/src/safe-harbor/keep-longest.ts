import type { TextSpan } from '../text/text-deidentifier.ts';

/** Up to this many spans are sorted by insertion. */
const SMALL_SORT = 24;

/** Longest first at each place (earlier pushed first among equals); drop what overlaps a kept span. */
export function keepLongest(found: TextSpan[]): TextSpan[] {
  const n = found.length;
  if (n <= 1) return found;
  if (n > SMALL_SORT) found.sort((x, y) => x.start - y.start || y.end - x.end);
  else {
    // A stable insertion sort in the same order (a stable sort's result is unique): few spans,
    // pushed mostly in order, sort faster so than through a comparator.
    for (let i = 1; i < n; i++) {
      const s = found[i] as TextSpan;
      let j = i - 1;
      for (let t = found[j] as TextSpan; t.start > s.start || (t.start === s.start && t.end < s.end); t = found[j] as TextSpan) {
        found[j + 1] = t;
        if (--j < 0) break;
      }
      found[j + 1] = s;
    }
  }
  const kept: TextSpan[] = [];
  for (const s of found) {
    const prev = kept[kept.length - 1];
    if (prev !== undefined && s.start < prev.end) continue;
    kept.push(s);
  }
  return kept;
}
