import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import type { DeidKey } from '../context/patient-context.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import type { JsonObject } from './element-tree.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';

/** Shared by the FHIR tests (not exported from the package): corpus paths and a de-identifier. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const corpus = (dir: string): string => path.resolve(repoRoot, '../shared/corpus', dir);

export function corpusFiles(dir: string, ext = '.json'): string[] {
  return readdirSync(corpus(dir)).filter((f) => f.endsWith(ext)).sort().map((f) => path.join(corpus(dir), f));
}

export function readJson(file: string): JsonObject {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as JsonObject;
}

export function testKey(fill: number): DeidKey {
  return deidKeyFromSecret(new Uint8Array(32).fill(fill));
}

export function makeDeidentifier(profile = 'safe-harbor', key = testKey(7), systems: readonly string[] = []): FhirDeidentifier {
  return new FhirDeidentifier(
    { kind: 'profile', profile: builtinProfile(profile), key },
    { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), patientIdentifierSystems: systems },
  );
}
