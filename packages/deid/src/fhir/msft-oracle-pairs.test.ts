import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { FhirDeidError } from './fhir-deid-error.ts';
import { FhirDeidentifier } from './fhir-deidentifier.ts';
import { DEFAULT_ENVIRONMENT, FhirRuleAnonymizer } from './fhir-rule-anonymizer.ts';
import { parseMsftConfig } from './msft-config.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const dir = path.resolve(repoRoot, '../shared/corpus/fhir-msft-anonymizer-oracle-pairs');
const read = (f: string): unknown => JSON.parse(readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, ''));

// Pairing from the upstream functional tests (corpus SOURCES.md). Every pair is reproduced
// exactly: date shift and crypto hash follow the Microsoft derivations when a Microsoft
// configuration is used (docs/deid/fhir.md "Microsoft configurations").
const PAIRS: readonly (readonly [string, string, string])[] = [
  ['patient-basic', 'common-config', 'patient-basic-target'],
  ['patient-basic', 'redact-all-config', 'patient-redact-all-target'],
  ['patient-special-content', 'common-config', 'patient-special-content-target'],
  ['patient-null-date', 'common-config', 'patient-null-date-target'],
  ['patient-no-partial', 'common-no-partial-config', 'patient-no-partial-target'],
  ['patient-substitute-primitive', 'substitute-primitive', 'patient-substitute-primitive-target'],
  ['patient-substitute-complex', 'substitute-complex', 'patient-substitute-complex-target'],
  ['patient-substitute-conflict-rules', 'substitute-conflict-rules', 'patient-substitute-conflict-rules-target'],
  ['patient-substitute-multiple', 'substitute-multiple', 'patient-substitute-multiple-target'],
  ['patient-substitute-multiple-2', 'substitute-multiple-2', 'patient-substitute-multiple-2-target'],
  ['patient-generalize', 'generalize-patient-config', 'patient-generalize-target'],
];

function run(input: string, config: string): unknown {
  const cfg = parseMsftConfig(readFileSync(path.join(dir, 'configurations', `${config}.json`), 'utf8'));
  const anonymizer = new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false });
  return anonymizer.anonymize(read(`${input}.json`) as Record<string, unknown>, { environment: () => DEFAULT_ENVIRONMENT, record: () => undefined });
}

describe('Microsoft FHIR anonymizer oracle pairs', () => {
  it.each(PAIRS)('%s with %s gives %s', (input, config, target) => {
    expect(run(input, config)).toEqual(read(`${target}.json`));
  });

  it('processingErrors skip gives patient-empty; raise fails with a typed error', () => {
    const key = new Uint8Array(32).fill(3);
    const make = (config: string): FhirDeidentifier => {
      const k = deidKeyFromSecret(key);
      return new FhirDeidentifier(
        { kind: 'msft', config: parseMsftConfig(readFileSync(path.join(dir, 'configurations', `${config}.json`), 'utf8')) },
        { factory: createPatientContextFactory(k), text: new KnownIdentifiersTextDeidentifier() },
      );
    };
    const skipped = make('configuration-skip-processing-error').deidentify(read('patient-basic.json') as Record<string, unknown>);
    expect(skipped.resource).toEqual(read('patient-empty.json'));
    expect(skipped.problems.map((p) => p.code)).toEqual(['fhir-processing']);
    expect(() => make('configuration-raise-processing-error').deidentify(read('patient-basic.json') as Record<string, unknown>)).toThrow(FhirDeidError);
  });

  it('every configuration in the corpus parses and compiles', () => {
    for (const f of ['common-config', 'r4-configuration-sample', 'configuration-skip-processing-error', 'redact-all-config']) {
      const cfg = parseMsftConfig(readFileSync(path.join(dir, 'configurations', `${f}.json`), 'utf8'));
      expect(() => new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false })).not.toThrow();
    }
  });
});
