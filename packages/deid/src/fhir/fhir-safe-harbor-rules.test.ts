import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { createRecordTextDeidentifier } from '../text/record-text-deidentifier.ts';
import type { JsonObject } from './element-tree.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';
import { testKey } from './fhir-test-setup.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

function deid(resource: JsonObject, profile = 'safe-harbor', treeEngine = false): { out: JsonObject; problems: readonly { code: string }[] } {
  const key = testKey(9);
  const d = new FhirDeidentifier(
    { kind: 'profile', profile: builtinProfile(profile), key },
    { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW, treeEngine },
  );
  const r = d.deidentify(resource);
  return { out: r.resource, problems: r.problems };
}

const GEO = 'http://hl7.org/fhir/StructureDefinition/geolocation';

describe('Safe Harbor rules on hand-made resources (45 CFR §164.514(b)(2)(i))', () => {
  it('(B) address: ZIP3, restricted ZIP3 → 000, state kept, geolocation and unknown extensions removed, birthPlace generalized', () => {
    const { out, problems } = deid({
      resourceType: 'Patient', id: 'p',
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Springfield', state: 'MA', postalCode: '01103' } },
        { url: 'http://example.org/favourite-colour', valueString: 'blue' },
      ],
      modifierExtension: [{ url: 'http://example.org/unknown-modifier', valueBoolean: true }],
      address: [
        { line: ['1 Elm St'], city: 'Boston', district: 'Suffolk', state: 'MA', postalCode: '02134-1234', extension: [{ url: GEO, extension: [{ url: 'latitude', valueDecimal: 42.35 }] }] },
        { state: 'NH', postalCode: '03601' },
      ],
    });
    const text = JSON.stringify(out);
    for (const s of ['Springfield', '01103', 'blue', 'Elm', 'Boston', 'Suffolk', '02134', '42.35', GEO, 'unknown-modifier']) expect(text).not.toContain(s);
    expect(out.address).toEqual([{ state: 'MA', postalCode: '021' }, { state: 'NH', postalCode: '000' }]);
    expect(out.extension).toEqual([{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { state: 'MA', postalCode: '011' } }]);
    expect(problems.map((p) => p.code)).toEqual(['modifier-extension-removed']);
  });

  it('(A) the names of relatives, household members and employers in party references go, display-only too; an insurer\'s stays, on both engines', () => {
    for (const tree of [false, true]) {
      const run = (r: JsonObject): JsonObject => deid(r, 'safe-harbor', tree).out;
      const patient = run({
        resourceType: 'Patient', id: 'p',
        contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'E' }] }], organization: { display: 'Acme Tractor Works' } }],
        link: [{ other: { display: 'Martha Whitfield' }, type: 'seealso' }],
      });
      const coverage = run({
        resourceType: 'Coverage', id: 'c', status: 'active',
        policyHolder: { display: 'Acme Tractor Works' },
        subscriber: { display: 'Martha Whitfield' },
        subscriberId: 'WHT4455667',
        beneficiary: { reference: 'Patient/p', display: 'Harold Whitfield' },
        payor: [{ display: 'Blue Cross' }],
      });
      const account = run({ resourceType: 'Account', id: 'a', status: 'active', guarantor: [{ party: { display: 'Martha Whitfield' } }] });
      const eob = run({ resourceType: 'ExplanationOfBenefit', id: 'e', payee: { party: { display: 'Martha Whitfield' } }, insurance: [{ focal: true, coverage: { display: 'Medicaid' } }] });
      const text = JSON.stringify([patient, coverage, account, eob]);
      for (const s of ['Acme', 'Martha', 'Whitfield', '4455667']) expect(text, `tree ${String(tree)}`).not.toContain(s);
      expect(coverage.payor).toEqual([{ display: 'Blue Cross' }]);
      expect(eob.insurance).toEqual([{ focal: true, coverage: { display: 'Medicaid' } }]);
    }
  });

  it('the known identifiers reach resources whose patient is in a list (Account.subject) or an Appointment participant, and a contact known by text only', () => {
    const bundle: JsonObject = {
      resourceType: 'Bundle', type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', name: [{ family: 'Whitfield', given: ['Harold'] }], contact: [{ name: { text: 'Martha Whitfield' } }] } },
        { resource: { resourceType: 'Account', status: 'active', name: 'Harold Whitfield guarantor account', subject: [{ reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' }] } },
        {
          resource: {
            resourceType: 'Appointment', status: 'booked', description: 'Home visit for Harold; wife Martha lets the nurse in',
            participant: [{ actor: { display: 'Nurse' }, status: 'accepted' }, { actor: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' }, status: 'accepted' }],
          },
        },
      ],
    };
    for (const treeEngine of [false, true]) {
      const key = testKey(9);
      const d = new FhirDeidentifier({ kind: 'profile', profile: builtinProfile('safe-harbor'), key }, { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW, treeEngine });
      const r = d.deidentify(structuredClone(bundle));
      const text = JSON.stringify(r.resource);
      for (const s of ['Harold', 'Martha', 'Whitfield']) expect(text, `tree ${String(treeEngine)} ${s}`).not.toContain(s);
      expect(text).toContain('guarantor account');
      expect(text).toContain('lets the nurse in');
      expect(r.problems.filter((p) => p.code === 'unresolved-patient')).toEqual([]);
    }
  });

  it('(C) dates to the year; a birth date over 89 removed; Age over 89 becomes >= 90; instants removed', () => {
    const { out: young } = deid({ resourceType: 'Patient', id: 'y', birthDate: '1990-07-04', deceasedDateTime: '2020-02-03T04:05:06Z', meta: { lastUpdated: '2024-01-02T03:04:05Z' } });
    expect(young.birthDate).toBe('1990');
    expect(young.deceasedDateTime).toBe('2020');
    expect(young.meta).not.toHaveProperty('lastUpdated');
    const { out: old } = deid({ resourceType: 'Patient', id: 'o', birthDate: '1930-07-04' });
    expect(old).not.toHaveProperty('birthDate');
    const { out: obs } = deid({
      resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/o' },
      onsetAge: { value: 93, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' },
      abatementAge: { value: 45, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' },
    });
    expect(obs.onsetAge).toEqual({ value: 90, comparator: '>=', unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' });
    expect(obs.abatementAge).toMatchObject({ value: 45 });
  });

  it('(C) ages over 89 in Observations (LOINC or local age codes), age Ranges and a relative\'s birth are aggregated, on both engines', () => {
    const age = (code: JsonObject, value: JsonObject): JsonObject => ({ resourceType: 'Observation', id: 'o', status: 'final', code, subject: { reference: 'Patient/p' }, ...value });
    const loinc = { coding: [{ system: 'http://loinc.org', code: '30525-0', display: 'Age' }] };
    const ucum = { unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' };
    const aggregated = { value: 90, comparator: '>=', ...ucum };
    const resources: JsonObject[] = [
      age(loinc, { valueQuantity: { value: 96, ...ucum } }),
      age({ coding: [{ system: 'http://loinc.org', code: '21612-7' }] }, { valueInteger: 96 }),
      age({ text: 'Patient age' }, { valueString: '96 years' }),
      age({ coding: [{ system: 'urn:local', code: 'AGE' }] }, { valueQuantity: { value: 1150, unit: 'months' } }),
      age(loinc, { valueQuantity: { value: 89, ...ucum } }),
      age({ text: 'Gestational age' }, { valueQuantity: { value: 96, unit: 'd' } }),
      age({ coding: [{ system: 'http://loinc.org', code: '8302-2', display: 'Body height' }] }, { valueQuantity: { value: 180, unit: 'cm' }, component: [{ code: { text: 'age at measurement' }, valueQuantity: { value: 95, unit: 'years' } }] }),
      { resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/p' }, onsetRange: { low: { value: 92, ...ucum }, high: { value: 95, ...ucum } }, abatementRange: { low: { value: 80, ...ucum }, high: { value: 91, ...ucum } } },
      { resourceType: 'FamilyMemberHistory', id: 'f', status: 'completed', patient: { reference: 'Patient/p' }, relationship: { text: 'mother' }, bornDate: '1905-03-04', deceasedRange: { low: { value: 97, ...ucum } } },
      { resourceType: 'FamilyMemberHistory', id: 'g', status: 'completed', patient: { reference: 'Patient/p' }, relationship: { text: 'father' }, bornString: 'about 1901' },
    ];
    for (const treeEngine of [false, true]) {
      const key = testKey(9);
      const d = new FhirDeidentifier({ kind: 'profile', profile: builtinProfile('safe-harbor'), key }, { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW, treeEngine });
      const out = resources.map((r) => d.deidentify(structuredClone(r)).resource);
      expect(out[0]?.valueQuantity, `tree ${String(treeEngine)}`).toEqual(aggregated);
      expect(out[1]).not.toHaveProperty('valueInteger');
      expect(out[1]?.valueQuantity).toEqual(aggregated);
      expect(out[2]?.valueString).toBe('90+');
      expect(out[3]?.valueQuantity).toEqual(aggregated);
      expect(out[4]?.valueQuantity).toEqual({ value: 89, ...ucum });
      expect(out[5]?.valueQuantity).toEqual({ value: 96, unit: 'd' });
      expect(out[6]?.valueQuantity).toEqual({ value: 180, unit: 'cm' });
      expect((out[6]?.component as JsonObject[])[0]?.valueQuantity).toEqual(aggregated);
      expect(out[7]?.onsetRange).toEqual({ low: { value: 90, ...ucum } });
      expect(out[7]?.abatementRange).toEqual({ low: { value: 80, ...ucum } });
      expect(out[8]).not.toHaveProperty('bornDate');
      expect(out[8]?.deceasedRange).toEqual({ low: { value: 90, ...ucum } });
      expect(out[9]).not.toHaveProperty('bornString');
    }
    // The limited data set keeps ages (§164.514(e)).
    expect(deid(age(loinc, { valueQuantity: { value: 96, ...ucum } }), 'limited-data-set').out.valueQuantity).toEqual({ value: 96, ...ucum });
  });

  it('keeps a waveform (SampledData.data) that has the R4 grammar and removes one that does not', () => {
    const wave = '2041 2043 617 555 0199 2050 E L U -12.5 1.5e3';
    const ecg = (data: string): JsonObject => ({ resourceType: 'Observation', id: 'e', status: 'final', code: { text: 'ECG lead II' }, valueSampledData: { origin: { value: 2048 }, period: 2, dimensions: 1, data } });
    // With the CLI's clinical engine, whose phone pattern took `617 555 0199` in the signal.
    const key = testKey(9);
    const clinical = new FhirDeidentifier({ kind: 'profile', profile: builtinProfile('safe-harbor'), key }, { factory: createPatientContextFactory(key), text: createRecordTextDeidentifier(), now: () => NOW });
    expect((clinical.deidentify(ecg(wave)).resource.valueSampledData as JsonObject).data).toBe(wave);
    expect(deid(ecg('2041 2043 called Mary Jones')).out.valueSampledData).toEqual({ origin: { value: 2048 }, period: 2, dimensions: 1 });
  });

  it('(N), (Q) photo and attachment URLs removed; text/plain data de-identified; other data removed', () => {
    const note = Buffer.from('Seen: Quintus Zephyrine, tel 555-867-5309.\n').toString('base64');
    const patient = { resourceType: 'Patient', id: 'q', name: [{ given: ['Quintus'], family: 'Zephyrine' }], telecom: [{ system: 'phone', value: '555-867-5309' }], photo: [{ contentType: 'image/jpeg', data: 'AAAA', url: 'https://x.example/q.jpg' }] };
    const doc = { resourceType: 'DocumentReference', id: 'd', status: 'current', subject: { reference: 'Patient/q' }, content: [{ attachment: { contentType: 'text/plain', data: note, url: 'https://x.example/n.txt' } }] };
    const out = deid({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }, { resource: doc }] }).out;
    const [p, d] = (out.entry as JsonObject[]).map((e) => e.resource as JsonObject);
    expect(p?.photo).toEqual([{ contentType: 'image/jpeg' }]);
    const attachment = ((d?.content as JsonObject[])[0] as JsonObject).attachment as JsonObject;
    expect(attachment.url).toBeUndefined();
    expect(Buffer.from(String(attachment.data), 'base64').toString('utf8')).toBe('Seen: [NAME], tel [PHONE].\n');
  });

  it('text attachments in UTF-16 or a declared charset are de-identified in it and keep it; an unknown charset removes the data', () => {
    const text = 'Seen: Quintus Zéphyrine, tel 555-867-5309.\n';
    const patient = { resourceType: 'Patient', id: 'q', name: [{ given: ['Quintus'], family: 'Zéphyrine' }], telecom: [{ system: 'phone', value: '555-867-5309' }] };
    const attachments = [
      { contentType: 'text/plain', data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]).toString('base64') },
      { contentType: 'text/plain; charset=utf-16le', data: Buffer.from(text, 'utf16le').toString('base64') },
      { contentType: 'text/plain; charset="ISO-8859-1"', data: Buffer.from(text, 'latin1').toString('base64') },
      { contentType: 'text/plain; charset=x-klingon', data: Buffer.from(text, 'latin1').toString('base64') },
    ];
    const doc = { resourceType: 'DocumentReference', id: 'd', status: 'current', subject: { reference: 'Patient/q' }, content: attachments.map((attachment) => ({ attachment })) };
    const out = deid({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }, { resource: doc }] }).out;
    const content = ((out.entry as JsonObject[])[1]?.resource as JsonObject).content as { attachment: JsonObject }[];
    const bytes = content.map((c) => (typeof c.attachment.data === 'string' ? Buffer.from(c.attachment.data, 'base64') : undefined));
    const expected = 'Seen: [NAME], tel [PHONE].\n';
    expect(bytes[0]?.equals(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(expected, 'utf16le')]))).toBe(true);
    expect(bytes[1]?.toString('utf16le')).toBe(expected);
    expect(bytes[2]?.toString('latin1')).toBe(expected);
    expect(bytes[3]).toBeUndefined();
  });

  it('a Binary (the document a DocumentReference points at) is de-identified as text when text/*, removed otherwise; other base64 data is removed', () => {
    const note = Buffer.from('Discharge note for Quintus Zephyrine, tel 555-867-5309.\n').toString('base64');
    const patient = { resourceType: 'Patient', id: 'q', name: [{ given: ['Quintus'], family: 'Zephyrine' }], telecom: [{ system: 'phone', value: '555-867-5309' }] };
    const binaries = [
      { resourceType: 'Binary', id: 'b1', contentType: 'text/plain', securityContext: { reference: 'Patient/q' }, data: note },
      { resourceType: 'Binary', id: 'b2', contentType: 'application/pdf', data: note },
    ];
    const signed = {
      resourceType: 'Provenance', id: 'v', target: [{ reference: 'Patient/q' }], recorded: '2024-03-04T10:00:00Z', agent: [{ who: { reference: 'Patient/q' } }],
      signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }], when: '2024-03-04T10:00:00Z', who: { reference: 'Patient/q' }, sigFormat: 'image/png', data: note }],
    };
    const audit = {
      resourceType: 'AuditEvent', id: 'a', type: { code: 'rest' }, recorded: '2024-03-04T10:00:00Z', agent: [{ requestor: true }], source: { observer: { display: 'x' } },
      entity: [{ query: Buffer.from('Patient?name=Zephyrine&birthdate=1950-02-03').toString('base64') }],
    };
    const out = deid({ resourceType: 'Bundle', type: 'collection', entry: [patient, ...binaries, signed, audit].map((resource) => ({ resource })) }).out;
    const [, text, pdf, provenance, event] = (out.entry as JsonObject[]).map((e) => e.resource as JsonObject);
    expect(Buffer.from(String(text?.data), 'base64').toString('utf8')).toBe('Discharge note for [NAME], tel [PHONE].\n');
    expect(pdf).not.toHaveProperty('data');
    expect(pdf?.contentType).toBe('application/pdf');
    expect((provenance?.signature as JsonObject[])[0]).not.toHaveProperty('data');
    expect((provenance?.signature as JsonObject[])[0]?.sigFormat).toBe('image/png');
    expect(event).not.toHaveProperty('entity');
  });

  it('URIs that hold a value about the patient are removed; systems, types and definitions stay', () => {
    const { out } = deid({
      resourceType: 'Bundle', type: 'collection',
      entry: [
        { resource: { resourceType: 'Device', id: 'd', patient: { reference: 'Patient/q' }, url: 'http://10.1.2.3/pump/quintus', type: { coding: [{ system: 'http://snomed.info/sct', code: '706689003' }] } } },
        {
          resource: {
            resourceType: 'QuestionnaireResponse', id: 'r', status: 'completed', subject: { reference: 'Patient/q', type: 'Patient' },
            item: [{ linkId: '1', definition: 'http://example.org/q#1', answer: [{ valueUri: 'https://facebook.com/quintus.zephyrine' }, { valueString: 'yes' }] }],
          },
        },
        { resource: { resourceType: 'Task', id: 't', status: 'draft', intent: 'order', instantiatesUri: 'http://example.org/protocol/7', input: [{ type: { text: 'x' }, valueUri: 'mailto:quintus@example.org' }, { type: { text: 'y' }, valueUuid: 'urn:uuid:8f0e6b2c-1d2a-4c3b-9e4f-5a6b7c8d9e0f' }] } },
      ],
    });
    const [device, response, task] = (out.entry as JsonObject[]).map((e) => e.resource as JsonObject);
    expect(device).not.toHaveProperty('url');
    expect(device?.type).toEqual({ coding: [{ system: 'http://snomed.info/sct', code: '706689003' }] });
    expect(response?.item).toEqual([{ linkId: '1', definition: 'http://example.org/q#1', answer: [{ valueString: 'yes' }] }]);
    expect((response?.subject as JsonObject).type).toBe('Patient');
    expect(task?.instantiatesUri).toBe('http://example.org/protocol/7');
    const inputs = task?.input as JsonObject[];
    expect(inputs[0]).not.toHaveProperty('valueUri');
    expect(String(inputs[1]?.valueUuid)).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(JSON.stringify(out)).not.toMatch(/quintus|10\.1\.2\.3|8f0e6b2c/i);
  });

  it('Identifier.type and Meta.tag keep their codes, but typed text in them goes through the text engine', () => {
    const { out } = deid({
      resourceType: 'Patient', id: 't',
      meta: { tag: [{ system: 'urn:x', code: 'vip', display: 'VIP' }, { display: 'flagged by Zebulon' }], security: [{ system: 'urn:s', code: 'R', display: 'restricted' }] },
      identifier: [
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical Record Number' }], text: 'Medical Record Number' }, system: 'urn:mrn', value: '12345' },
        { type: { coding: [{ system: 'urn:t', code: 'X', display: 'chart of Quixote' }], text: 'old chart, Zebulon Quixote' }, system: 'urn:x', value: '999' },
      ],
      name: [{ family: 'Quixote', given: ['Zebulon'] }],
    });
    const meta = out.meta as { tag: JsonObject[]; security: JsonObject[] };
    expect(meta.tag[0]).toEqual({ system: 'urn:x', code: 'vip', display: 'VIP' });
    expect(meta.security[0]).toEqual({ system: 'urn:s', code: 'R', display: 'restricted' });
    const [mrn, other] = (out.identifier as { type: JsonObject }[]).map((i) => i.type);
    expect(mrn).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical Record Number' }], text: 'Medical Record Number' });
    expect(other?.coding).toEqual([{ system: 'urn:t', code: 'X' }]);
    expect(JSON.stringify(out)).not.toMatch(/Zebulon|Quixote/);
  });

  it('limited data set keeps dates, city and 5-digit ZIP but not street, name or phone', () => {
    const { out } = deid({ resourceType: 'Patient', id: 'l', birthDate: '1990-07-04', name: [{ family: 'Kowalski' }], telecom: [{ system: 'phone', value: '555-0100' }], address: [{ line: ['1 Elm'], city: 'Boston', postalCode: '02134', state: 'MA' }] }, 'limited-data-set');
    expect(out.birthDate).toBe('1990-07-04');
    expect(out.address).toEqual([{ city: 'Boston', postalCode: '02134', state: 'MA' }]);
    expect(JSON.stringify(out)).not.toMatch(/Kowalski|555-0100|Elm/);
  });
});
