import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import type { PatientContext } from '../context/patient-context.ts';
import { createClinicalTextDeidentifier, type ClinicalTextDeidentifier } from './clinical-text-deidentifier.ts';
import { loadDictionaries, type Dictionaries } from './dictionaries.ts';

/** Test helpers shared by the text engine's tests (decoded once per test file). */
let shared: { dictionaries: Dictionaries; tags: ClinicalTextDeidentifier; surrogates: ClinicalTextDeidentifier } | undefined;

export function engines(): { dictionaries: Dictionaries; tags: ClinicalTextDeidentifier; surrogates: ClinicalTextDeidentifier } {
  if (shared === undefined) {
    const dictionaries = loadDictionaries();
    shared = {
      dictionaries,
      tags: createClinicalTextDeidentifier({ dictionaries }),
      surrogates: createClinicalTextDeidentifier({ dictionaries, mode: 'surrogates' }),
    };
  }
  return shared;
}

/** The texts of the spans found in `text`, with their categories: `category:text`. */
export function found(text: string, engine: ClinicalTextDeidentifier = engines().tags): string[] {
  return engine.detect(text).map((s) => `${s.category}:${text.slice(s.start, s.end)}`);
}

/** A patient context from a fixed test key. */
export function testPatient(value = 'MRN-1'): PatientContext {
  const factory = createPatientContextFactory({ id: 'test-key', secret: new Uint8Array(32).fill(7) });
  return factory.forPatient({ system: 'urn:test:mrn', value });
}
