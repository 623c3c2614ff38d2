import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';
import { corpusFiles, readJson, testKey } from './fhir-test-setup.ts';
import { deidentifyNdjson, registerNdjsonPatients } from './ndjson.ts';

// Performance work on the FHIR path must not change a byte of its output. These are the SHA-256
// digests of everything the de-identifier gives for the FHIR corpora (NDJSON output, Bundles,
// samples, oracle inputs; tallies and problems too), recorded with commit 3129880 (before the
// 2026-11-24 FHIR-side round, docs/deid/fhir.md "Performance") and unchanged by it. A change that
// is meant to change the output updates them, and says why in its commit.
const DIGESTS: Readonly<Record<string, string>> = {
  'safe-harbor': 'd8f885abfe01fbad1ef440aadae6e1139d402a0484febee1e62d13906b79b38f',
  'date-shift': '5094ea7447c2bfd6c7075b68cdd54186f46cc3f88c6ca7da8be25daa9fdbc61f',
  'limited-data-set': '0685c1fb7b1f98f9f04ebb3eb2c0d767aecaa04b647c3ce9a2520487fb15547b',
};
const NOW = new Date('2026-11-24T00:00:00Z');

function corpusDigest(profile: string): string {
  const key = testKey(7);
  const deid = new FhirDeidentifier(
    { kind: 'profile', profile: builtinProfile(profile), key },
    { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW },
  );
  const h = createHash('sha256');
  const isPatient = (f: string): boolean => path.basename(f).startsWith('Patient');
  const ndjson = corpusFiles('fhir-bulk-ndjson-10patients', '.ndjson').sort((a, b) => Number(!isPatient(a)) - Number(!isPatient(b)) || path.basename(a).localeCompare(path.basename(b)));
  for (const f of ndjson) if (isPatient(f)) registerNdjsonPatients(readFileSync(f, 'utf8'), deid, path.basename(f));
  for (const f of ndjson) {
    const r = deidentifyNdjson(readFileSync(f, 'utf8'), deid, path.basename(f));
    h.update(r.output).update(JSON.stringify(r.tally.entries())).update(JSON.stringify(r.problems));
  }
  for (const dir of ['fhir-synthea-hiv-bundles', 'fhir-msft-anonymizer-samples', 'fhir-msft-anonymizer-oracle-pairs']) {
    for (const f of corpusFiles(dir)) {
      const r = deid.deidentify(readJson(f));
      h.update(JSON.stringify(r.resource)).update(JSON.stringify(r.tally.entries())).update(JSON.stringify(r.problems));
    }
  }
  return h.digest('hex');
}

describe('FHIR output on the corpora', () => {
  it.each(Object.keys(DIGESTS))('%s: the same bytes as recorded', (profile) => {
    expect(corpusDigest(profile)).toBe(DIGESTS[profile]);
  });
});
