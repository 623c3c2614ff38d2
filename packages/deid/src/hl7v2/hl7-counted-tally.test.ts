import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeidTally } from '../manifest/deid-tally.ts';
import { SAFE_HARBOR_CATEGORIES } from '../safe-harbor/categories.ts';
import { Hl7TallyCounter } from './hl7-tally-counter.ts';

// The counter's bulk hand-over equals adding every change to a DeidTally directly: same entries
// in the same order, whichever of the tally's methods is called first, across several takes.
const change = fc.tuple(fc.constantFrom(...SAFE_HARBOR_CATEGORIES), fc.constantFrom('hl7.PID-5:name', 'hl7.OBX-5:text', 'hl7.PV1-7:prov', 'r'));

describe('Hl7TallyCounter.take', () => {
  it('gives the entries of a DeidTally that saw every change', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 40 }), { minLength: 1, maxLength: 4 }), fc.nat(3), (calls, first) => {
        const counter = new Hl7TallyCounter();
        for (const changes of calls) {
          const direct = new DeidTally();
          for (const [category, rule] of changes) {
            counter.add(category, rule);
            direct.add(category, rule);
          }
          const taken = counter.take();
          if (first === 1) expect(taken.total()).toBe(direct.total());
          if (first === 2) {
            taken.add('name', 'extra');
            direct.add('name', 'extra');
          }
          if (first === 3) {
            const merged = new DeidTally();
            merged.merge(taken);
            expect(merged.entries()).toEqual(direct.entries());
          }
          expect(taken.entries()).toEqual(direct.entries());
          expect(taken.total()).toBe(direct.total());
        }
      }),
    );
  });
});
