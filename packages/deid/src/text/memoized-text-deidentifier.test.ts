import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoizedTextDeidentifier } from './memoized-text-deidentifier.ts';
import { engines, testPatient } from './test-engine.ts';
import type { KnownIdentifiers, TextDeidRequest, TextDeidentifier } from './text-deidentifier.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

// A small pool, so that texts, patients and known sets repeat and the memo is hit.
const texts = ['CT HEAD WO CONTRAST', 'Zebulon Quixote follow-up', 'ref. Dr Quixote 555-123-4567', 'MRN 4471923 chest', 'seen 2021-03-04 by Ann', '', 'Quixote'];
const patients = [testPatient('MRN-1'), testPatient('MRN-2'), undefined];
const knownSets: (KnownIdentifiers | undefined)[] = [undefined, { names: ['Zebulon Quixote', 'Quixote'] }, { identifiers: ['4471923'], names: ['Ann'] }];

const request = fc.record({
  text: fc.oneof(fc.constantFrom(...texts), fc.string({ maxLength: 40 }), fc.string({ minLength: 1100, maxLength: 1200 })),
  patient: fc.nat(patients.length - 1),
  // Known sets as new objects with the same content (as each instance builds its own) or the same object.
  known: fc.nat(knownSets.length - 1),
  copy: fc.boolean(),
});

function asRequest(r: { text: string; patient: number; known: number; copy: boolean }): TextDeidRequest {
  const known = knownSets[r.known];
  const patient = patients[r.patient];
  return {
    text: r.text,
    ...(patient === undefined ? {} : { patient }),
    ...(known === undefined ? {} : { known: r.copy ? structuredClone(known) : known }),
  };
}

describe('MemoizedTextDeidentifier', () => {
  for (const mode of ['tags', 'surrogates'] as const) {
    it(`returns exactly what the engine returns, for any order of requests (${mode}, with evictions)`, () => {
      fc.assert(
        fc.property(fc.array(request, { maxLength: 60 }), fc.constantFrom(200, 4 * 2 ** 20), (requests, maxChars) => {
          const inner = engines()[mode];
          const memo = new MemoizedTextDeidentifier(inner, maxChars);
          for (const r of requests) expect(memo.deidentify(asRequest(r))).toEqual(inner.deidentify(asRequest(r)));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('keeps results of one patient or known set from answering another', () => {
    const memo = new MemoizedTextDeidentifier(engines().tags);
    const text = 'Zebulon Quixote follow-up';
    const withName = memo.deidentify({ text, patient: testPatient('MRN-1'), known: { names: ['Zebulon Quixote'] } });
    expect(withName.text).not.toContain('Quixote');
    // The same text under a patient whose known identifiers differ gets its own pass.
    let calls = 0;
    const counting: TextDeidentifier = {
      deidentify: (r) => {
        calls++;
        return engines().tags.deidentify(r);
      },
    };
    const counted = new MemoizedTextDeidentifier(counting);
    counted.deidentify({ text, patient: testPatient('MRN-1'), known: { names: ['Zebulon Quixote'] } });
    counted.deidentify({ text, patient: testPatient('MRN-1'), known: { names: ['Zebulon Quixote'] } });
    expect(calls).toBe(1);
    counted.deidentify({ text, patient: testPatient('MRN-1'), known: { names: ['Other Person'] } });
    counted.deidentify({ text, patient: testPatient('MRN-2'), known: { names: ['Zebulon Quixote'] } });
    counted.deidentify({ text, known: { names: ['Zebulon Quixote'] } });
    expect(calls).toBe(4);
  });
});
