import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwoKeyCache } from './two-key-cache.ts';

describe('TwoKeyCache', () => {
  it('behaves as one Map keyed by both strings, emptied when the bound is reached', () => {
    const key = fc.constantFrom('', 'a', 'b', 'a\0', '\0b', 'ab');
    const op = fc.record({ first: key, second: key, value: fc.integer() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const cache = new TwoKeyCache<number>(max);
        const model = new Map<string, number>(); // keyed by JSON of the pair: no separator collisions
        for (const { first, second, value } of ops) {
          const k = JSON.stringify([first, second]);
          expect(cache.get(first, second)).toBe(model.get(k));
          if (model.size >= max) model.clear();
          cache.set(first, second, value);
          model.set(k, value);
          expect(cache.size).toBe(model.size);
          expect(cache.get(first, second)).toBe(value);
        }
      }),
      { numRuns: 300 },
    );
  });
});
