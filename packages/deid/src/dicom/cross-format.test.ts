// One patient, one pseudonym and one date shift in HL7v2 and DICOM (shared patient context); one study's UIDs in FHIR and DICOM.
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { FhirDeidentifier } from '../fhir/fhir-deidentifier.ts';
import { Hl7Deidentifier } from '../hl7v2/hl7-deidentifier.ts';
import { DEFAULT_ENCODING } from '../hl7v2/hl7-encoding.ts';
import { segmentFields } from '../hl7v2/hl7-structure.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import type { DicomElement } from './dataset.ts';
import { deidentifyDicom } from './deidentify-dicom.ts';
import { readDicom } from './read-dicom.ts';
import { readCorpus } from './test-support/corpus.ts';
import { asciiElement, asciiOf } from './values.ts';
import { writeDicom } from './write-dicom.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(11));

function withPatient(extra: readonly DicomElement[]): Uint8Array {
  const ct = readDicom(readCorpus('dicom-pydicom-testfiles/CT_small.dcm'));
  const replaced = new Set(extra.map((e) => e.tag));
  const dataset = [...ct.dataset.filter((e) => !replaced.has(e.tag)), ...extra].sort((a, b) => a.tag - b.tag);
  return writeDicom({ ...ct, dataset });
}

function hl7(pid3: string): string {
  const message = `MSH|^~\\&|RIS|HOSP|PACS|HOSP|20240105120000||ORU^R01|1|P|2.5\rPID|1||${pid3}||DOE^JANE||19800101|F\rOBX|1|TS|x^y||20240105||||||F\r`;
  const d = new Hl7Deidentifier({
    factory: createPatientContextFactory(key),
    methods: new MethodApplier(builtinProfile('date-shift'), key, { text: new KnownIdentifiersTextDeidentifier() }),
    referenceDate: '2026-11-24',
  });
  return d.deidentify(message).text;
}

const field = (message: string, segment: string, n: number): string =>
  segmentFields(message.split('\r').find((l) => l.startsWith(segment)) ?? '', DEFAULT_ENCODING)[n] ?? '';

describe('DICOM and HL7v2 agree on the patient', () => {
  it('Issuer of Patient ID = CX-4.1 namespace: same pseudonym and same date shift', () => {
    const out = hl7('MRN-77^^^HOSP^MR');
    const dicom = deidentifyDicom(
      withPatient([
        asciiElement(0x00080020, 'DA', '20240105'),
        asciiElement(0x00100020, 'LO', 'MRN-77'),
        asciiElement(0x00100021, 'LO', 'HOSP'),
      ]),
      { key, factory: createPatientContextFactory(key), options: ['retainLongitudinalModifiedDates'] },
    );
    if (!dicom.ok) throw new Error('unexpected quarantine');
    const ds = readDicom(Buffer.concat(dicom.chunks)).dataset;
    expect(field(out, 'PID', 3).split('^')[0]).toBe(asciiOf(ds.find((e) => e.tag === 0x00100020)));
    expect(field(out, 'OBX', 5)).toBe(asciiOf(ds.find((e) => e.tag === 0x00080020)));
    expect(field(out, 'OBX', 5)).not.toBe('20240105');
  });

  it('an ISO universal issuer (Issuer of Patient ID Qualifiers Sequence) = CX-4.2/4.3: urn:oid system', () => {
    const out = hl7('MRN-9^^^HOSP&1.2.840.99999.1&ISO^MR');
    const qualifiers: DicomElement = {
      tag: 0x00100024,
      vr: 'SQ',
      undefinedLength: false,
      offset: 0,
      items: [
        { undefinedLength: false, elements: [asciiElement(0x00400032, 'UT', '1.2.840.99999.1'), asciiElement(0x00400033, 'CS', 'ISO')] },
      ],
    };
    const dicom = deidentifyDicom(
      withPatient([asciiElement(0x00100020, 'LO', 'MRN-9'), asciiElement(0x00100021, 'LO', 'HOSP'), qualifiers]),
      { key, factory: createPatientContextFactory(key) },
    );
    if (!dicom.ok) throw new Error('unexpected quarantine');
    const ds = readDicom(Buffer.concat(dicom.chunks)).dataset;
    expect(asciiOf(ds.find((e) => e.tag === 0x00100020))).toBe(
      createPatientContextFactory(key).forPatient({ system: 'urn:oid:1.2.840.99999.1', value: 'MRN-9' }).pseudonym,
    );
    expect(field(out, 'PID', 3).split('^')[0]).toBe(asciiOf(ds.find((e) => e.tag === 0x00100020)));
  });
});

describe('DICOM and FHIR agree on the study', () => {
  it('ImagingStudy series and instance UIDs, and its urn:dicom:uid identifier, become the UIDs of the de-identified DICOM (PS3.15 §E.3.9)', () => {
    const original = readDicom(readCorpus('dicom-pydicom-testfiles/CT_small.dcm')).dataset;
    const uid = (ds: readonly DicomElement[], tag: number): string => asciiOf(ds.find((e) => e.tag === tag)) ?? '';
    const [study, series, sop] = [0x0020000d, 0x0020000e, 0x00080018].map((tag) => uid(original, tag)) as [string, string, string];
    const dicom = deidentifyDicom(readCorpus('dicom-pydicom-testfiles/CT_small.dcm'), { key, factory: createPatientContextFactory(key) });
    if (!dicom.ok) throw new Error('unexpected quarantine');
    const out = readDicom(Buffer.concat(dicom.chunks)).dataset;
    const fhir = new FhirDeidentifier(
      { kind: 'profile', profile: builtinProfile('safe-harbor'), key },
      { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier() },
    ).deidentify({
      resourceType: 'ImagingStudy', id: 's', status: 'available', subject: { reference: 'Patient/p' },
      identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${study}` }],
      series: [{ uid: series, modality: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }, instance: [{ uid: sop, sopClass: { system: 'urn:ietf:rfc:3986', code: 'urn:oid:1.2.840.10008.5.1.4.1.1.2' } }] }],
    }).resource as { identifier: { value: string }[]; series: { uid: string; instance: { uid: string; sopClass: { code: string } }[] }[] };
    expect(fhir.identifier[0]?.value).toBe(`urn:oid:${uid(out, 0x0020000d)}`);
    expect(fhir.series[0]?.uid).toBe(uid(out, 0x0020000e));
    expect(fhir.series[0]?.instance[0]?.uid).toBe(uid(out, 0x00080018));
    expect(fhir.series[0]?.uid).not.toBe(series);
    expect(fhir.series[0]?.instance[0]?.sopClass.code).toBe('urn:oid:1.2.840.10008.5.1.4.1.1.2'); // a standard SOP class UID stays
  });
});
