import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { type JsonObject, isJsonObject, pruneEmpty } from './element-tree.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';
import { testKey } from './fhir-test-setup.ts';
import { newPruneMarks, pruneMarked } from './prune-marked.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

// Element names without `_name` companions (those make the walk ask for the full prune), and
// values that include every empty form pruning removes: null, '', {}, [].
const NAMES = [
  'id', 'name', 'family', 'given', 'text', 'address', 'line', 'city', 'postalCode', 'telecom', 'system', 'value', 'identifier', 'type', 'coding', 'code',
  'display', 'birthDate', 'effectiveDateTime', 'valueString', 'subject', 'reference', 'note', 'extension', 'url', 'period', 'start', 'meta', 'contact',
  'status', 'gender', 'unknownThing', 'entry', 'resource', 'fullUrl',
];
const scalar = fc.oneof(fc.constantFrom('Smith', 'final', '1950-05-04', 'Patient/p1', 'urn:uuid:4b1c9e0a-1f63-4c1b-9a55-0d7b5e7c1f11', 'x'), fc.integer({ min: 0, max: 99 }), fc.boolean());
// Empty values are rare, so that one is often the only thing its object loses.
const json: fc.Arbitrary<unknown> = fc.letrec<{ obj: Record<string, unknown>; val: unknown }>((tie) => ({
  obj: fc.dictionary(fc.constantFrom(...NAMES), tie('val'), { maxKeys: 5 }),
  val: fc.oneof(
    { depthSize: 'small' },
    { arbitrary: scalar, weight: 8 },
    { arbitrary: fc.constantFrom('', null), weight: 1 },
    { arbitrary: tie('obj'), weight: 3 },
    { arbitrary: fc.array(fc.oneof({ arbitrary: scalar, weight: 4 }, { arbitrary: tie('obj'), weight: 4 }, { arbitrary: fc.constantFrom('', null), weight: 1 }), { maxLength: 3 }), weight: 2 },
  ),
})).obj;
const resource = fc.record({ resourceType: fc.constantFrom('Patient', 'Observation', 'Bundle', 'DocumentReference'), body: json })
  .map(({ resourceType, body }) => ({ ...(body as JsonObject), resourceType }));

function deidentifier(profile: string, treeEngine: boolean): FhirDeidentifier {
  const key = testKey(5);
  return new FhirDeidentifier(
    { kind: 'profile', profile: builtinProfile(profile), key },
    { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW, treeEngine },
  );
}

/** Every object that has an empty value somewhere below it (what the walk must mark). */
function markAll(value: unknown, dirty: Set<object>): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (typeof value !== 'object') return false;
  const items: unknown[] = Array.isArray(value) ? value : Object.values(value);
  let empty = items.length === 0;
  for (const v of items) if (markAll(v, dirty)) empty = true;
  if (empty && !Array.isArray(value)) dirty.add(value);
  return empty;
}

describe('pruneMarked', () => {
  it('property: with every object above an empty value marked, the same result as pruneEmpty', () => {
    fc.assert(
      fc.property(resource, (r) => {
        const text = JSON.stringify(r);
        const a = JSON.parse(text) as JsonObject;
        const marks = newPruneMarks();
        markAll(a, marks.dirty);
        const b = JSON.parse(text) as JsonObject;
        expect(JSON.stringify(pruneMarked(a, marks))).toBe(JSON.stringify(pruneEmpty(b)));
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      }),
      { numRuns: 500 },
    );
  });

  it('the walk marks each kind of empty value when it is the only one in its object', () => {
    const [plan, tree] = [deidentifier('safe-harbor', false), deidentifier('safe-harbor', true)];
    for (const r of [
      { resourceType: 'Observation', status: '', code: { text: 'x' } },
      { resourceType: 'Observation', status: 'final', code: { coding: [{ code: '' }, { code: 'a' }] } },
      { resourceType: 'Observation', status: 'final', code: { coding: [] } },
      { resourceType: 'Observation', status: 'final', code: { coding: [{}] } },
      { resourceType: 'Observation', status: 'final', code: { coding: [null, { code: 'a' }] } },
      { resourceType: 'Observation', status: 'final', code: {} },
      { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: '' } } }] },
      { resourceType: 'Observation', status: 'final', code: { text: 'x', unknownThing: 'y' } },
    ]) {
      const text = JSON.stringify(r);
      expect(JSON.stringify(plan.deidentify(JSON.parse(text) as JsonObject).resource)).toBe(JSON.stringify(tree.deidentify(JSON.parse(text) as JsonObject).resource));
    }
  });

  it('leaves unmarked objects alone (they are known to hold nothing empty)', () => {
    const inner = { a: 'x' };
    const r = { resourceType: 'Patient', b: null, c: inner };
    const marks = newPruneMarks();
    marks.dirty.add(r);
    pruneMarked(r, marks);
    expect(r).toEqual({ resourceType: 'Patient', c: { a: 'x' } });
    expect(r.c).toBe(inner);
  });

  it('property: the compiled plan (marked pruning) gives the tree engine\'s output (full pruning) on resources with empty values', () => {
    const engines = (['safe-harbor', 'limited-data-set'] as const).map((p) => [deidentifier(p, false), deidentifier(p, true)] as const);
    fc.assert(
      fc.property(resource, fc.integer({ min: 0, max: engines.length - 1 }), (r, i) => {
        const [plan, tree] = engines[i] ?? [];
        if (plan === undefined || tree === undefined) return;
        expect(plan.compiled).toBe(true);
        const text = JSON.stringify(r);
        const run = (d: FhirDeidentifier): unknown => {
          try {
            const out = d.deidentify(JSON.parse(text) as JsonObject);
            return { resource: JSON.stringify(out.resource), problems: out.problems };
          } catch (e) {
            return { error: e instanceof Error ? e.message : String(e) };
          }
        };
        const expected = run(tree);
        fc.pre(!(isJsonObject(expected) && typeof expected.error === 'string'));
        expect(run(plan)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });
});
