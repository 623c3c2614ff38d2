import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { DeidError } from '../context/deid-error.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import { Hl7Deidentifier } from './hl7-deidentifier.ts';
import { parseHl7Document, serializeHl7Document } from './hl7-document.ts';
import { hl7ish, messageArb } from './hl7-arbitraries.ts';

// Longer runs: FUZZ_RUNS=100000 npx vitest run packages/deid/src/hl7v2/hl7-fuzz.test.ts
const runs = Number(process.env.FUZZ_RUNS ?? 150);
const key = deidKeyFromSecret(new Uint8Array(32).fill(5));
const profiles = ['safe-harbor', 'date-shift', 'limited-data-set'].map(
  (id) => new Hl7Deidentifier({ factory: createPatientContextFactory(key), methods: new MethodApplier(builtinProfile(id), key, { text: new KnownIdentifiersTextDeidentifier() }), referenceDate: '2026-11-24' }),
);

describe('HL7 v2 fuzzing (FUZZ_RUNS for more)', () => {
  it('parses and serializes any text losslessly', () => {
    fc.assert(
      fc.property(hl7ish, (text) => {
        expect(serializeHl7Document(parseHl7Document(text))).toBe(text);
      }),
      { numRuns: runs },
    );
  });

  it('never throws on any input: problems are typed errors, outputs are text', () => {
    fc.assert(
      fc.property(fc.oneof(hl7ish, messageArb.map((m) => m.text)), (text) => {
        for (const d of profiles) {
          const r = d.deidentify(text);
          expect(typeof r.text).toBe('string');
          for (const p of r.problems) expect(p).toBeInstanceOf(DeidError);
          expect(r.failed).toBeLessThanOrEqual(r.messages);
        }
      }),
      { numRuns: runs },
    );
  });
});
