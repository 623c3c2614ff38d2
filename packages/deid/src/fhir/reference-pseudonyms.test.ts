import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { FhirPatientIndex } from './fhir-patient-index.ts';
import { testKey } from './fhir-test-setup.ts';
import { ReferenceMemo, ReferencePseudonyms, uuidOfReference } from './reference-pseudonyms.ts';

const patient = {
  resourceType: 'Patient', id: 'p1',
  identifier: [{ system: 'urn:mrn', value: 'M1', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
};

describe('ReferencePseudonyms with a run memo', () => {
  it('forgets remembered references when a patient is registered', () => {
    const index = new FhirPatientIndex(createPatientContextFactory(testKey(4)));
    const refs = new ReferencePseudonyms(index, new ReferenceMemo());
    const before = refs.reference('Patient/p1');
    expect(before).toBe(`Patient/${index.fallback('p1').pseudonym}`);
    const entry = index.register(patient);
    expect(refs.reference('Patient/p1')).toBe(`Patient/${String(entry?.context.pseudonym)}`);
    expect(refs.reference('Patient/p1')).not.toBe(before);
  });

  it('property: a memo shared over many calls gives what a fresh rewriter gives', () => {
    const ref = fc.oneof(
      fc.tuple(fc.constantFrom('Patient', 'Encounter', 'Observation', 'Nope'), fc.constantFrom('p1', 'p2', 'e1', 'a.b-c')).map(([t, id]) => `${t}/${id}`),
      fc.constantFrom('urn:uuid:4b1c9e0a-1f63-4c1b-9a55-0d7b5e7c1f11', 'urn:oid:1.2.3', '#c1', '#', 'Patient?identifier=urn:mrn|M1', 'http://x.org/fhir/Patient/p1/_history/2', 'not a ref'),
    );
    const index = new FhirPatientIndex(createPatientContextFactory(testKey(4)));
    index.register(patient);
    const shared = new ReferencePseudonyms(index, new ReferenceMemo());
    fc.assert(
      fc.property(fc.array(ref, { maxLength: 20 }), (list) => {
        for (const r of list) expect(shared.reference(r)).toBe(new ReferencePseudonyms(index).reference(r));
      }),
      { numRuns: 200 },
    );
  });

  it('finds registered patients through the index prefilter, and only them', () => {
    const index = new FhirPatientIndex(createPatientContextFactory(testKey(4)));
    const entry = index.register(patient);
    expect(index.lookup('Patient/p1')).toBe(entry);
    expect(index.lookup('urn:uuid:p1')).toBe(entry);
    expect(index.lookup('https://x.org/fhir/Patient/p1')).toBe(entry);
    expect(index.lookup('Patient/p2')).toBeUndefined();
    expect(index.lookup('Encounter/p1')).toBeUndefined();
  });

  it('property: uuidOfReference answers as /^urn:uuid:([0-9a-fA-F-]{36})$/ does', () => {
    const UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;
    const char = fc.constantFrom(...'0123456789abcdefABCDEFgG-:zu\n '.split(''));
    const body = fc.array(char, { minLength: 34, maxLength: 38 }).map((cs) => cs.join(''));
    const ref = fc.oneof(
      body.map((b) => `urn:uuid:${b}`),
      fc.uuid().map((u) => `urn:uuid:${u}`),
      fc.uuid().map((u) => `urn:uuid:${u.toUpperCase()}\n`),
      fc.tuple(fc.constantFrom('urn:uuid', 'urn:uuid:', 'URN:uuid:', 'xurn:uuid:', ''), body).map(([p, b]) => p + b),
      fc.string(),
    );
    fc.assert(fc.property(ref, (r) => {
      expect(uuidOfReference(r)).toBe(UUID.exec(r)?.[1]);
    }), { numRuns: 2000 });
  });
});
