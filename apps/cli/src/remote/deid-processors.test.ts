import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serverProcessors } from './deid-processors.ts';

// The server keeps one processor per format and profile; the FHIR one remembers the patients it
// met, up to a bound, then starts afresh (memory of a long-running server stays bounded).
const home = mkdtempSync(path.join(os.tmpdir(), 'deid-processors-'));
afterAll(() => { rmSync(home, { recursive: true, force: true }); });

const patient = (id: string, family: string): Buffer =>
  Buffer.from(JSON.stringify({ resourceType: 'Patient', id, name: [{ family, given: ['Test'] }], birthDate: '1961-03-04' }));

describe('serverProcessors', () => {
  it('keeps a processor per format and profile, and the FHIR one only up to maxPatientRefs remembered references', () => {
    const processorFor = serverProcessors(home, process.stderr, 4);
    const first = processorFor('fhir', 'safe-harbor');
    expect(processorFor('fhir', 'safe-harbor')).toBe(first);
    expect(processorFor('fhir', 'date-shift')).not.toBe(first);
    for (const [i, family] of ['Quimby', 'Ashdown'].entries()) expect(first.process(patient(`p${String(i)}`, family), `p${String(i)}.json`)).toMatchObject({ ok: true });
    expect(processorFor('fhir', 'safe-harbor')).toBe(first); // 2 patients, 4 references (Patient/id, urn:uuid:id): at the bound, kept
    expect(first.process(patient('p2', 'Farrow'), 'p2.json')).toMatchObject({ ok: true });
    const fresh = processorFor('fhir', 'safe-harbor'); // 6 > 4: a new processor, an empty index
    expect(fresh).not.toBe(first);
    expect(processorFor('fhir', 'safe-harbor')).toBe(fresh);
    const hl7 = processorFor('hl7v2', 'safe-harbor');
    expect(processorFor('hl7v2', 'safe-harbor')).toBe(hl7);
  });
});
