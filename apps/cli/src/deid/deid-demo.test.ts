import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { runDeidDemo } from './deid-demo.ts';

it('the serve --demo de-identification links HL7v2 and FHIR and leaks none of the fictional identifiers', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  runDeidDemo(out);
  // Input lines, and the input name of the file-names line (its output after the arrow stays).
  const outputs = text.split('\n').filter((l) => !l.includes('PID in') && !l.includes('PV2 in')).map((l) => (l.includes('file names') ? l.split('->')[1] ?? '' : l));
  expect(text).toMatch(/file names {3}: QUIMBY\^JONATHAN_4711-0815\/Jonathan_Quimby_1962-04-11\.hl7 -> [0-9A-Z]{16}\/[0-9A-Z]{16}\.hl7 /);
  const deidentified = outputs.join('\n');
  for (const identifier of ['Quimby', 'Jonathan', '4711-0815', '078-05-1120', '555-0142', 'Elm Street', 'Springfield', '62704', '1962-04-11', '19620411', '03/04/2025', '03/02/2025', 'Ogilvy', '555-0199', 'ogilvy', 'yahoo', 'Rosalind', '03/06/2025', 'Prairie Tractor']) {
    expect(deidentified).not.toContain(identifier);
  }
  expect(text).toContain('his niece writes from [EMAIL].');
  expect(text).toMatch(/FHIR Binary note out \(decoded\): Discharge summary: \[NAME\], \[[A-Z_]+\], discharged \[DATE\]\. Works as a machinist at \[NAME\]\. Niece \[NAME\] \[PHONE\] will drive him home\./);
  const hl7Pseudonym = /PID out: PID\|1\|\|(PG-[0-9A-Z]+)/.exec(text)?.[1];
  const fhir = JSON.parse(/FHIR Patient out: (\{.*\})/.exec(text)?.[1] ?? '{}') as { id?: string; birthDate?: string };
  expect(hl7Pseudonym).toBeDefined();
  expect(fhir.id).toBe(hl7Pseudonym);
  expect(text).toContain(`|${(fhir.birthDate ?? '').replaceAll('-', '')}|M|`);
  expect(text).toContain('PV2 out: PV2|||^Fell at home [DATE], found by neighbor [NAME] [PHONE]^');
});
