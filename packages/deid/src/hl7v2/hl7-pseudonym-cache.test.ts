import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';
import { PseudonymCache } from './hl7-pseudonym-cache.ts';

// The open-addressing table against a Map model: every get answers what the model holds, across
// growth, kinds that share values, values that share hashes' low bits, and a change of function.
const factory = createPatientContextFactory(deidKeyFromSecret(new Uint8Array(32).fill(3)));
const other = createPatientContextFactory(deidKeyFromSecret(new Uint8Array(32).fill(4)));
const scopeA = { patient: factory.forPatient({ system: 's', value: '1' }), enc: DEFAULT_ENCODING };
const scopeB = { patient: other.forPatient({ system: 's', value: '1' }), enc: DEFAULT_ENCODING };
const op = fc.oneof(
  fc.tuple(fc.constant('set' as const), fc.constantFrom('visit', 'message', 'mrn:ss'), fc.string({ maxLength: 6 }), fc.string({ maxLength: 4 })),
  fc.tuple(fc.constant('get' as const), fc.constantFrom('visit', 'message', 'mrn:ss', 'never'), fc.string({ maxLength: 6 }), fc.constant('')),
  fc.tuple(fc.constant('switch' as const), fc.constant(''), fc.constant(''), fc.constant('')),
);

describe('PseudonymCache', () => {
  it('answers as a Map of (kind, value) emptied when the function changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const cache = new PseudonymCache();
        let model = new Map<string, string>();
        let scope = scopeA;
        // The cache sees a change of function only when it is used: A, B, A with nothing asked
        // under B is no change (A's answers still hold).
        let seen = scopeA;
        for (const [what, kind, raw, out] of ops) {
          if (what === 'switch') {
            scope = scope === scopeA ? scopeB : scopeA;
            continue;
          }
          if (scope !== seen) {
            seen = scope;
            model = new Map();
          }
          if (what === 'get') {
            expect(cache.get(scope, kind, raw)).toBe(model.get(`${kind}\0${raw}`));
          } else if (cache.get(scope, kind, raw) === undefined) {
            // As the field de-identifier uses it: set after a miss, for the same scope.
            cache.set(kind, raw, out);
            model.set(`${kind}\0${raw}`, out);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
