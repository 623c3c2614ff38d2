import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';
import { DeidTally, type TallyEntry } from './deid-tally.ts';

// Against the plain model: a Map keyed by (category, rule), first-count order, counts summed.
function model(adds: readonly (readonly [SafeHarborCategory, string, number])[]): TallyEntry[] {
  const m = new Map<string, TallyEntry>();
  for (const [category, rule, n] of adds) {
    const key = `${category}\0${rule}`;
    m.set(key, { category, rule, n: (m.get(key)?.n ?? 0) + n });
  }
  return [...m.values()];
}

describe('DeidTally', () => {
  it('entries() are the (category, rule) counts in first-count order; merge adds them; total sums them', () => {
    const add = fc.tuple(fc.constantFrom<SafeHarborCategory>('name', 'date', 'mrn', 'other-id'), fc.constantFrom('hl7.PID-5:name', 'hl7.PID-7:dob', 'r', 'r\0x', ''), fc.integer({ min: 1, max: 5 }));
    fc.assert(
      fc.property(fc.array(add, { maxLength: 60 }), fc.array(add, { maxLength: 20 }), (a, b) => {
        const t = new DeidTally();
        for (const [c, r, n] of a) t.add(c, r, n);
        expect(t.entries()).toEqual(model(a));
        const u = new DeidTally();
        for (const [c, r, n] of b) u.add(c, r, n);
        t.merge(u);
        expect(t.entries()).toEqual(model([...a, ...b]));
        expect(t.total()).toBe([...a, ...b].reduce((s, [, , n]) => s + n, 0));
      }),
      { numRuns: 500 },
    );
  });
});
