import { randomBytes } from 'node:crypto';
import {
  builtinProfile,
  createOutputNamer,
  createPatientContextFactory,
  createRecordTextDeidentifier,
  deidKeyFromSecret,
  FhirDeidentifier,
  Hl7Deidentifier,
  MethodApplier,
} from '@phiguard/deid';

// A fictional patient (no real person): the same MRN in an HL7 ADT message and a FHIR Patient.
const MRN_SYSTEM = 'urn:oid:2.16.840.1.113883.19.5';
const ADT = [
  'MSH|^~\\&|EHR|GENHOSP|PHIGUARD|PG|20250304101500||ADT^A01|MSG00042|P|2.5.1',
  'EVN|A01|20250304101500',
  `PID|1||4711-0815^^^${MRN_SYSTEM}^MR||Quimby^Jonathan^Q||19620411|M|||12 Elm Street^^Springfield^IL^62704||(217)555-0142|||||||078-05-1120`,
  'PV1|1|I|4W^401^A||||1234^Welby^Marcus',
  // Admit reason, a coded field (CWE) with no code: the clerk typed a date, a neighbour and a phone.
  'PV2|||^Fell at home 03/02/2025, found by neighbor Ruth Ogilvy (217) 555-0199^',
  // A progress note: the patient's own identifiers, and an e-mail written out to dodge scrapers.
  'OBX|1|TX|11506-3^Progress note^LN||Jonathan Quimby seen on 03/04/2025, call (217) 555-0142; his niece writes from r.ogilvy[at]yahoo[dot]com.||||||F',
].join('\r');
const PATIENT = {
  resourceType: 'Patient',
  id: 'example-4711',
  identifier: [
    { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: MRN_SYSTEM, value: '4711-0815' },
  ],
  name: [{ family: 'Quimby', given: ['Jonathan'] }],
  telecom: [{ system: 'phone', value: '(217) 555-0142' }],
  gender: 'male',
  birthDate: '1962-04-11',
  address: [{ line: ['12 Elm Street'], city: 'Springfield', state: 'IL', postalCode: '62704' }],
};

// The discharge note a DocumentReference points at, as a FHIR Binary (base64 text/plain).
const NOTE = 'Discharge summary: Jonathan Quimby, 62704, discharged 03/06/2025. Works as a machinist at Prairie Tractor Works. Niece Rosalind Ogilvy (217) 555-0199 will drive him home.';
const BINARY = { resourceType: 'Binary', id: 'note-4711', contentType: 'text/plain; charset=utf-8', securityContext: { reference: 'Patient/example-4711' }, data: Buffer.from(NOTE).toString('base64') };

/**
 * `serve --demo`, de-identification part: one fictional patient in HL7v2 and FHIR, de-identified
 * with the date-shift profile under a throw-away key, to show that both formats get the same
 * pseudonym and the same date shift (docs/deid/patient-context.md).
 */
export function runDeidDemo(out: NodeJS.WritableStream): void {
  const key = deidKeyFromSecret(randomBytes(32));
  const factory = createPatientContextFactory(key);
  const profile = builtinProfile('date-shift');
  // The free-text engine `phiguard deid` and the server run by default (--text-engine clinical).
  const text = createRecordTextDeidentifier();
  const hl7 = new Hl7Deidentifier({ factory, methods: new MethodApplier(profile, key, { text }) }).deidentify(`${ADT}\r`);
  const fhirDeid = new FhirDeidentifier({ kind: 'profile', profile, key }, { factory, text });
  const fhir = fhirDeid.deidentify(PATIENT).resource;
  const binary = fhirDeid.deidentify(BINARY).resource;
  const pid = hl7.text.split('\r').find((s) => s.startsWith('PID|')) ?? '';
  const obx = hl7.text.split('\r').find((s) => s.startsWith('OBX|')) ?? '';
  const pv2 = hl7.text.split('\r').find((s) => s.startsWith('PV2|')) ?? '';
  out.write('demo: de-identification (date-shift profile, fictional patient, throw-away key)\n');
  out.write(`  HL7v2 PID in : ${ADT.split('\r')[2] ?? ''}\n  HL7v2 PID out: ${pid}\n  HL7v2 OBX out: ${obx}\n`);
  out.write(`  HL7v2 PV2 in : ${ADT.split('\r')[4] ?? ''}\n  HL7v2 PV2 out: ${pv2}  (typed text in a coded field)\n`);
  out.write(`  FHIR Patient out: ${JSON.stringify(fhir)}\n`);
  out.write(`  FHIR Binary note out (decoded): ${typeof binary.data === 'string' ? Buffer.from(binary.data, 'base64').toString('utf8') : '(removed)'}\n`);
  // Export folders and files are often named after the patient: `phiguard deid` names its outputs too.
  const exported = 'QUIMBY^JONATHAN_4711-0815/Jonathan_Quimby_1962-04-11.hl7';
  out.write(`  file names   : ${exported} -> ${createOutputNamer(key).path(exported)}  (--names keep keeps them)\n`);
  out.write('  the same pseudonym and date shift in both formats; try `phiguard deid hl7v2|fhir|dicom|text --help`\n');
}
