import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { Hl7Deidentifier } from '../hl7v2/hl7-deidentifier.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { loadDictionaries } from '../text/dictionaries.ts';
import { createRecordTextDeidentifier } from '../text/record-text-deidentifier.ts';
import { type JsonObject, isJsonObject } from './element-tree.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';
import { collectIdentifyingValues, findLeaks } from './fhir-leak-check.ts';
import { corpusFiles, makeDeidentifier, readJson, testKey } from './fhir-test-setup.ts';

const BUNDLES = [...corpusFiles('fhir-synthea-hiv-bundles'), ...corpusFiles('fhir-msft-anonymizer-samples')];
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';

function entries(bundle: JsonObject): JsonObject[] {
  return (Array.isArray(bundle.entry) ? bundle.entry : []).filter(isJsonObject);
}

function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

describe('FHIR de-identification of the corpus Bundles (safe-harbor)', () => {
  it.each(BUNDLES.map((f) => [path.basename(f).slice(0, 24), f]))('%s: no identifying value survives, references resolve', (_name, file) => {
    const input = readJson(file);
    const values = collectIdentifyingValues(input);
    expect(values.size).toBeGreaterThan(50);
    const count = entries(input).length;
    const { resource, problems } = makeDeidentifier().deidentify(input);
    expect(findLeaks(values, resource)).toEqual([]);
    expect(problems.filter((p) => p.code !== 'unresolved-patient')).toEqual([]);
    const out = entries(resource);
    expect(out).toHaveLength(count);
    // Every urn:uuid reference still points at an entry's fullUrl (R4 §2.36.4 resolution).
    const fullUrls = new Set(out.map((e) => e.fullUrl));
    for (const ref of references(resource)) if (ref.startsWith('urn:uuid:')) expect(fullUrls.has(ref)).toBe(true);
    // Every entry's resource carries the de-identification labels (ids are always pseudonymized).
    const codesOf = (r: JsonObject): unknown[] => ((r.meta as JsonObject).security as JsonObject[]).filter((s) => s.system === V3).map((s) => s.code);
    for (const e of out) expect(codesOf(e.resource as JsonObject)).toContain('PSEUDED');
    expect(codesOf(resource)).toEqual(expect.arrayContaining(['REDACTED', 'PSEUDED']));
    const patient = out.map((e) => e.resource as JsonObject).find((r) => r.resourceType === 'Patient');
    expect(patient?.birthDate).toMatch(/^\d{4}$/);
    expect(patient?.id).toMatch(/^PG-[0-9A-Z]{26}$/);
  });
});

describe('FHIR profiles and keys', () => {
  const file = BUNDLES[0] ?? '';

  it('the same patient gets the same pseudonym in every file and run; a different key is unlinkable', () => {
    const a1 = makeDeidentifier('safe-harbor', testKey(1)).deidentify(readJson(file)).resource;
    const a2 = makeDeidentifier('safe-harbor', testKey(1)).deidentify(readJson(file)).resource;
    const b = makeDeidentifier('safe-harbor', testKey(2)).deidentify(readJson(file)).resource;
    expect(a2).toEqual(a1);
    const pseudonyms = (r: JsonObject): Set<string> => new Set(JSON.stringify(r).match(/PG-[0-9A-Z]{26}|[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []);
    const pa = pseudonyms(a1);
    const pb = pseudonyms(b);
    expect(pa.size).toBeGreaterThan(100);
    expect([...pa].filter((p) => pb.has(p))).toEqual([]);
  });

  it('date-shift moves every date of a patient by the shared shift; limited-data-set keeps dates, city and ZIP', () => {
    const key = testKey(3);
    const input = readJson(file);
    const patientIn = entries(input).map((e) => e.resource as JsonObject).find((r) => r.resourceType === 'Patient') as JsonObject;
    const shifted = makeDeidentifier('date-shift', key).deidentify(readJson(file)).resource;
    const patientOut = entries(shifted).map((e) => e.resource as JsonObject).find((r) => r.resourceType === 'Patient') as JsonObject;
    const mrn = (patientIn.identifier as JsonObject[]).find((i) => JSON.stringify(i.type ?? null).includes('"MR"')) as JsonObject;
    const ctx = createPatientContextFactory(key).forPatient({ system: String(mrn.system), value: String(mrn.value) });
    expect(patientOut.birthDate).toBe(ctx.shiftIsoDate(String(patientIn.birthDate)));
    expect(patientOut.id).toBe(ctx.pseudonym);

    const lds = makeDeidentifier('limited-data-set', key).deidentify(readJson(file)).resource;
    const p = entries(lds).map((e) => e.resource as JsonObject).find((r) => r.resourceType === 'Patient') as JsonObject;
    const addrIn = (patientIn.address as JsonObject[])[0] as JsonObject;
    const addrOut = (p.address as JsonObject[])[0] as JsonObject;
    expect(p.birthDate).toBe(patientIn.birthDate);
    expect(addrOut.city).toBe(addrIn.city);
    expect(addrOut.postalCode).toBe(addrIn.postalCode);
    expect(addrOut.line).toBeUndefined();
    for (const n of p.name as JsonObject[]) expect(Object.keys(n)).toEqual(['use']);
  });

  it("a Coding's display goes only when it holds the patient's own known identifiers; its code stays", () => {
    const bundle = {
      resourceType: 'Bundle', type: 'collection', entry: [
        { fullUrl: 'urn:uuid:9d3c8a56-5b0b-4b8e-9d57-3f2e9d1c7a10', resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'Quixote', given: ['Zebulon'] }], maritalStatus: { coding: [{ code: 'M', display: 'Married' }] } } },
        // The concept's text repeats the slip (text first: read before its coding).
        { resource: { resourceType: 'AllergyIntolerance', patient: { reference: 'urn:uuid:9d3c8a56-5b0b-4b8e-9d57-3f2e9d1c7a10' }, code: { text: 'Penicillin allergy reported by Zebulon', coding: [
          { system: 'http://snomed.info/sct', code: '91936005', display: 'Allergy to penicillin' },
          { system: 'urn:local', code: 'X1', display: 'Penicillin allergy reported by Zebulon' },
        ] } } },
      ],
    };
    const out = makeDeidentifier().deidentify(bundle).resource;
    const text = JSON.stringify(out);
    expect(text).not.toContain('Zebulon');
    expect(text).toContain('"display":"Allergy to penicillin"');
    expect(text).toContain('"display":"Married"');
    expect(text).toContain('"code":"X1"');
    // A limited data set removes names too (45 CFR §164.514(e)(2)).
    const lds = JSON.stringify(makeDeidentifier('limited-data-set').deidentify(structuredClone(bundle)).resource);
    expect(lds).not.toContain('Zebulon');
  });

  it("a Coding with a display and no code is a person's text: it goes through the text engine (relatives, dates, phones)", () => {
    const key = testKey(8);
    const d = new FhirDeidentifier(
      { kind: 'profile', profile: builtinProfile('safe-harbor'), key },
      { factory: createPatientContextFactory(key), text: createRecordTextDeidentifier({ dictionaries: loadDictionaries() }) },
    );
    const condition = {
      resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' },
      code: { coding: [{ display: 'Fell at home 03/10/2024, found by neighbor Susan Miller 617-555-0142' }, { system: 'http://snomed.info/sct', code: '217082002', display: 'Accidental fall' }] },
      evidence: [{ code: [{ coding: [{ code: ' ', display: 'reported by aunt Gwendolyn Pike on 2019-05-01' }] }] }],
      // The concept's text repeating a code-less display is typed text too, not a code's name (text
      // first: read before the coding, it still sees the display as written).
      severity: { text: 'per son Dale Whitcombe', coding: [{ display: 'per son Dale Whitcombe' }] },
    };
    const out = JSON.stringify(d.deidentify(condition).resource);
    for (const secret of ['03/10/2024', 'Susan', 'Miller', '617-555-0142', 'Gwendolyn', 'Pike', '2019-05-01', 'Whitcombe']) expect(out, secret).not.toContain(secret);
    expect(out).toContain('"display":"Fell at home [DATE], found by neighbor [NAME] [PHONE]"');
    expect(out).toContain('"code":"217082002","display":"Accidental fall"');
  });

  it('a Synthea patient and the same patient in an HL7 v2 ADT (same MRN) share pseudonym and shift', () => {
    const key = testKey(4);
    const factory = createPatientContextFactory(key);
    const bundle = readJson(file);
    const patientIn = entries(bundle).map((e) => e.resource as JsonObject).find((r) => r.resourceType === 'Patient') as JsonObject;
    const mrn = (patientIn.identifier as JsonObject[]).find((i) => JSON.stringify(i.type ?? null).includes('"MR"')) as JsonObject;
    const birthDate = String(patientIn.birthDate);
    // PID-3 as a CX: value^^^assigning authority^MR (HL7 v2.5.1 §2.A.14); the HL7 side resolves
    // the identity as (CX-4.1, CX-1), the FHIR side as (Identifier.system, Identifier.value).
    const adt = [
      'MSH|^~\\&|EHR|HOSP|PHIGUARD|PG|20240101120000||ADT^A01|MSG0001|P|2.5.1',
      'EVN|A01|20240101120000',
      `PID|1||${String(mrn.value)}^^^${String(mrn.system)}^MR||Doe^John||${birthDate.replaceAll('-', '')}|M`,
    ].join('\r');
    const profile = builtinProfile('date-shift');
    const hl7 = new Hl7Deidentifier({ factory, methods: new MethodApplier(profile, key, { text: new KnownIdentifiersTextDeidentifier() }) }).deidentify(`${adt}\r`);
    const pid = hl7.text.split('\r').find((seg) => seg.startsWith('PID|'))?.split('|') ?? [];
    const out = new FhirDeidentifier({ kind: 'profile', profile, key }, { factory, text: new KnownIdentifiersTextDeidentifier() }).deidentify(bundle).resource;
    const patientOut = entries(out).map((e) => e.resource as JsonObject).find((r) => r.resourceType === 'Patient') as JsonObject;
    expect(pid[3]?.split('^')[0]).toBe(patientOut.id);
    expect(pid[7]).toBe(String(patientOut.birthDate).replaceAll('-', ''));
    expect(patientOut.birthDate).not.toBe(birthDate);
  });

  it('the type-driven fast path and plain FHIRPath evaluation give the same output', () => {
    const key = testKey(5);
    const small = (): JsonObject => {
      const b = readJson(BUNDLES[3] ?? '');
      return { ...b, entry: entries(b).slice(0, 40) };
    };
    const fast = makeDeidentifier('safe-harbor', key).deidentify(small()).resource;
    const slow = new FhirDeidentifier(
      { kind: 'profile', profile: builtinProfile('safe-harbor'), key },
      { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), fhirPathOnly: true },
    ).deidentify(small()).resource;
    expect(slow).toEqual(fast);
  });

  it('references to the patient become Patient/<pseudonym>; contained and conditional references stay consistent', () => {
    const d = makeDeidentifier();
    const patient = { resourceType: 'Patient', id: 'p1', identifier: [{ type: { coding: [{ code: 'MR' }] }, system: 'urn:mrn', value: 'MRN-42' }], name: [{ family: 'Zyxwv', given: ['Qwerty'] }] };
    const obs = {
      resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'Qwerty Zyxwv checked' },
      subject: { reference: 'Patient/p1', display: 'Qwerty Zyxwv' },
      contained: [{ resourceType: 'Practitioner', id: 'pr', name: [{ family: 'Doctor' }] }],
      performer: [{ reference: '#pr' }, { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893' }],
    };
    const p = d.deidentify(structuredClone(patient)).resource;
    const o = d.deidentify(structuredClone(obs)).resource as JsonObject & { subject: JsonObject; contained: JsonObject[]; performer: JsonObject[]; code: JsonObject };
    expect(o.subject.reference).toBe(`Patient/${String(p.id)}`);
    expect(o.subject.display).toBeUndefined();
    expect(o.performer[0]?.reference).toBe(`#${String(o.contained[0]?.id)}`);
    expect(String(o.performer[1]?.reference)).toMatch(/^Practitioner\?identifier=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Fus-npi%7CPG-/);
    expect(o.code.text).not.toMatch(/Qwerty|Zyxwv/);
    expect(JSON.stringify(o)).not.toContain('1234567893');
  });
});
