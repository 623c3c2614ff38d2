import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TextSpan } from '../text/text-deidentifier.ts';
import { keepLongest } from './keep-longest.ts';

/** What keepLongest did before its insertion sort: the built-in (stable) sort, then the same pass. */
function reference(found: TextSpan[]): TextSpan[] {
  const sorted = [...found].sort((x, y) => x.start - y.start || y.end - x.end);
  const kept: TextSpan[] = [];
  for (const s of sorted) if (kept.length === 0 || s.start >= (kept[kept.length - 1]?.end ?? 0)) kept.push(s);
  return kept;
}

describe('keepLongest', () => {
  it('keeps the same spans, in the same order, as the built-in stable sort (equal spans: the first pushed), below and above the insertion-sort size', () => {
    const span = fc.tuple(fc.nat(20), fc.nat(6), fc.constantFrom('name', 'date', 'other-id') as fc.Arbitrary<TextSpan['category']>).map(([start, len, category]) => ({ start, end: start + len + 1, category, detector: `known.${category}` }));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 60 }), (found) => {
        const want = reference(found);
        const got = keepLongest([...found]);
        expect(got).toEqual(want);
        // The same objects, not equal copies: the first pushed among equal spans is the one kept.
        for (const [i, s] of got.entries()) expect(s).toBe(want[i]);
      }),
      { numRuns: 3000 },
    );
  });
});
