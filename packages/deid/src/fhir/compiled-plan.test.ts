import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { type JsonObject, isJsonObject } from './element-tree.ts';
import { FhirDeidError } from './fhir-deid-error.ts';
import { type FhirDeidResult, FhirDeidentifier } from './fhir-deidentifier.ts';
import { corpus, corpusFiles, readJson, testKey } from './fhir-test-setup.ts';
import { DEFAULT_ENVIRONMENT, FhirRuleAnonymizer } from './fhir-rule-anonymizer.ts';
import { parseMsftConfig } from './msft-config.ts';
import { ndjsonLines } from './ndjson.ts';

// The compiled plan (compiled-plan.ts) must give exactly what the element-tree engine
// (rule-engine.ts) gives: same output, same counts, same problems, on every FHIR corpus file.
const NOW = new Date('2026-01-01T00:00:00Z');
const PROFILES = ['safe-harbor', 'date-shift', 'limited-data-set'] as const;

function pair(profile: string): { plan: FhirDeidentifier; tree: FhirDeidentifier } {
  const make = (treeEngine: boolean): FhirDeidentifier => {
    const key = testKey(9);
    return new FhirDeidentifier(
      { kind: 'profile', profile: builtinProfile(profile), key },
      { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW, treeEngine },
    );
  };
  return { plan: make(false), tree: make(true) };
}

function summary(r: FhirDeidResult): unknown {
  const tally = [...r.tally.entries()].map((e) => `${e.category} ${e.rule} ${String(e.n)}`).sort();
  return { resource: JSON.stringify(r.resource), tally, problems: r.problems };
}

/** Every resource of the FHIR corpora: bulk NDJSON lines (Patient files first), Bundles, samples, oracle inputs. */
function corpusResources(): { name: string; json: string }[] {
  const out: { name: string; json: string }[] = [];
  const bulk = corpusFiles('fhir-bulk-ndjson-10patients', '.ndjson').sort((a, b) => Number(!a.includes('/Patient')) - Number(!b.includes('/Patient')));
  for (const f of bulk) for (const l of ndjsonLines(readFileSync(f, 'utf8'))) out.push({ name: `${path.basename(f)}:${String(l.line)}`, json: l.text });
  for (const dir of ['fhir-synthea-hiv-bundles', 'fhir-msft-anonymizer-samples', 'fhir-msft-anonymizer-oracle-pairs']) {
    for (const f of corpusFiles(dir)) out.push({ name: path.basename(f), json: JSON.stringify(readJson(f)) });
  }
  return out;
}

describe('compiled plan = element-tree engine', () => {
  const resources = corpusResources();

  it('the built-in profiles run as compiled plans', () => {
    for (const p of PROFILES) expect(pair(p).plan.compiled).toBe(true);
    expect(pair('safe-harbor').tree.compiled).toBe(false);
  });

  for (const profile of PROFILES) {
    it(`${profile}: every FHIR corpus resource (${String(resources.length)}) gives the same output, counts and problems`, () => {
      const { plan, tree } = pair(profile);
      for (const r of resources) {
        const a = summary(plan.deidentify(JSON.parse(r.json) as JsonObject));
        const b = summary(tree.deidentify(JSON.parse(r.json) as JsonObject));
        expect(a, r.name).toEqual(b);
      }
    });
  }

  it('Microsoft configurations made only of look-ups run as plans with the same output', () => {
    const dir = corpus('fhir-msft-anonymizer-oracle-pairs');
    let planned = 0;
    for (const config of ['redact-all-config', 'r4-configuration-sample']) {
      const cfg = parseMsftConfig(readFileSync(path.join(dir, 'configurations', `${config}.json`), 'utf8'));
      const plan = new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false, now: () => NOW });
      const tree = new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false, now: () => NOW, treeEngine: true });
      if (!plan.compiled || cfg.rules.some((r) => r.method === 'encrypt')) continue;
      planned++;
      for (const r of resources) {
        const hooks = { environment: () => DEFAULT_ENVIRONMENT, record: () => undefined };
        const a = plan.anonymize(JSON.parse(r.json) as JsonObject, hooks);
        const b = tree.anonymize(JSON.parse(r.json) as JsonObject, hooks);
        expect(a, `${config} ${r.name}`).toEqual(b);
      }
    }
    expect(planned).toBeGreaterThan(0);
  });

  // `where(...)` filters (docs/deid/fhir.md "Compiled plans"): the corpus configurations that use
  // them, and rule lists with filters on the resource and on complex elements.
  const WHERE_RULES: readonly (readonly { path: string; method: string }[])[] = [
    [
      { path: 'Device.where(id.exists()).id', method: 'cryptoHash' },
      { path: "nodesByType('Address').where(city='KeepTest')", method: 'keep' },
      { path: "Patient.where(active=true).name", method: 'redact' },
      { path: "Observation.where(status='final')", method: 'redact' },
      { path: "nodesByType('Address')", method: 'redact' },
      { path: "nodesByType('date')", method: 'dateShift' },
      { path: "nodesByType('HumanName').where(family.exists())", method: 'keep' },
      { path: "nodesByType('HumanName')", method: 'redact' },
      { path: 'Resource.id', method: 'cryptoHash' },
    ],
    [
      { path: "nodesByType('Identifier').where(system='urn:keep')", method: 'keep' },
      { path: "Patient.where(gender='female').address", method: 'redact' },
      { path: "nodesByType('Identifier')", method: 'redact' },
      { path: "nodesByType('dateTime')", method: 'redact' },
    ],
  ];
  // `generalize` (a fallible plan: a run that throws is redone on the tree): lists whose cases fail
  // or that reach complex elements, nested resources and `_name` companions.
  const GENERALIZE_RULES: readonly (readonly { path: string; method: string; cases?: Record<string, string>; otherValues?: string }[])[] = [
    [
      { path: "nodesByType('Extension')", method: 'redact' },
      { path: "nodesByType('date')", method: 'generalize', cases: { '$this <= @2020-01-01 and $this >= @1990-01-01': '@2000-01-01' }, otherValues: 'redact' },
      { path: "nodesByType('string')", method: 'generalize', cases: { "$this.startsWith('S')": "'S*'" }, otherValues: 'keep' },
      { path: "nodesByType('integer')", method: 'generalize', cases: { '$this > 10': '10' } },
      { path: 'Resource.id', method: 'cryptoHash' },
    ],
    [
      { path: "nodesByType('HumanName')", method: 'generalize', cases: { 'true': "'x'" } },
      { path: "nodesByType('dateTime')", method: 'generalize', cases: { '$this >= 0': '1' } },
      { path: "nodesByType('Coding')", method: 'keep' },
      { path: "nodesByType('Identifier')", method: 'redact' },
    ],
    [{ path: 'Patient', method: 'generalize', cases: { 'true': '1' } }, { path: "nodesByType('date')", method: 'redact' }],
    [{ path: "nodesByName('contained')", method: 'generalize', cases: { 'true': '1' } }, { path: "nodesByName('given')", method: 'generalize', cases: { "$this = 'Smith'": "'S'" } }],
  ];
  const whereConfig = (rules: readonly { path: string; method: string }[]): ReturnType<typeof parseMsftConfig> =>
    parseMsftConfig(JSON.stringify({ fhirPathRules: rules, parameters: { dateShiftKey: 'k', cryptoHashKey: 'h', enablePartialDatesForRedact: true } }));
  const CORPUS_CONFIGS = [
    'common-config', 'common-no-partial-config', 'generalize-patient-config', 'configuration-raise-processing-error',
    'configuration-skip-processing-error', 'configuration-without-processing-error',
  ];
  const corpusConfig = (c: string): ReturnType<typeof parseMsftConfig> =>
    parseMsftConfig(readFileSync(path.join(corpus('fhir-msft-anonymizer-oracle-pairs'), 'configurations', `${c}.json`), 'utf8'));
  const configs = (): { name: string; cfg: ReturnType<typeof parseMsftConfig> }[] => [
    ...CORPUS_CONFIGS.map((c) => ({ name: c, cfg: corpusConfig(c) })),
    ...WHERE_RULES.map((rules, i) => ({ name: `where-rules-${String(i)}`, cfg: whereConfig(rules) })),
    ...GENERALIZE_RULES.map((rules, i) => ({ name: `generalize-rules-${String(i)}`, cfg: whereConfig(rules) })),
  ];
  const planAndTree = (cfg: ReturnType<typeof parseMsftConfig>): [FhirRuleAnonymizer, FhirRuleAnonymizer] => [
    new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false, now: () => NOW }),
    new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false, now: () => NOW, treeEngine: true }),
  ];
  const outcome = (a: FhirRuleAnonymizer, json: string): unknown => {
    try {
      return a.anonymize(JSON.parse(json) as JsonObject, { environment: () => DEFAULT_ENVIRONMENT, record: () => undefined });
    } catch (e) {
      return { error: e instanceof FhirDeidError ? `fhir ${e.code}` : e instanceof Error ? e.message : String(e) };
    }
  };

  it('configurations with where(...) filters or generalize run as plans with the same output on every corpus resource', () => {
    for (const { name, cfg } of configs()) {
      const [plan, tree] = planAndTree(cfg);
      expect(plan.compiled, name).toBe(true);
      for (const r of resources) expect(outcome(plan, r.json), `${name} ${r.name}`).toEqual(outcome(tree, r.json));
    }
  });

  it('with a Microsoft configuration the de-identifier gives the same output, counts and problems under both engines', () => {
    for (const c of CORPUS_CONFIGS) {
      const make = (treeEngine: boolean): FhirDeidentifier => {
        const key = testKey(9);
        return new FhirDeidentifier({ kind: 'msft', config: corpusConfig(c) }, { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier(), now: () => NOW, treeEngine });
      };
      const plan = make(false);
      const tree = make(true);
      expect(plan.compiled, c).toBe(true);
      for (const r of resources) {
        const run = (d: FhirDeidentifier): unknown => {
          try {
            return summary(d.deidentify(JSON.parse(r.json) as JsonObject));
          } catch (e) {
            return { error: e instanceof FhirDeidError ? e.code : String(e) };
          }
        };
        expect(run(plan), `${c} ${r.name}`).toEqual(run(tree));
      }
    }
  });

  it('generalize cases that read more than the value keep the rules on the element tree', () => {
    const reads = (cases: Record<string, string>): boolean => planAndTree(whereConfig([{ path: "nodesByType('date')", method: 'generalize', cases } as { path: string; method: string }]))[0].compiled;
    expect(reads({ '$this >= @2000-01-01': '@2000-01-01' })).toBe(true);
    expect(reads({ '$this.extension.exists()': '@2000-01-01' })).toBe(false);
    expect(reads({ '%resource.id.exists()': '@2000-01-01' })).toBe(false);
    expect(reads({ 'true': '%context.id' })).toBe(false);
  });

  it('a filter an earlier rule could change keeps the rules on the element tree', () => {
    const cfg = whereConfig([{ path: "nodesByType('string')", method: 'redact' }, { path: "nodesByType('Address').where(city='KeepTest')", method: 'keep' }]);
    expect(planAndTree(cfg)[0].compiled).toBe(false);
    const byPath = whereConfig([{ path: 'Device.id', method: 'redact' }, { path: 'Device.where(id.exists()).url', method: 'keep' }]);
    expect(planAndTree(byPath)[0].compiled).toBe(false);
    const kept = whereConfig([{ path: "nodesByType('string')", method: 'keep' }, { path: "nodesByType('Address').where(city='KeepTest')", method: 'redact' }]);
    expect(planAndTree(kept)[0].compiled).toBe(true);
  });

  // Random resources built from a pool of R4 element names, unknown names, primitive `_name`
  // companions, lenient single values, contained resources and extensions.
  const scalar = fc.oneof(fc.constantFrom('KeepTest', 'final', 'female', 'urn:keep', 'Smith', '12 Main St', '02134', '555-0100', '1950-05-04', '2019-03-04T10:00:00Z', 'Patient/p1', 'urn:uuid:4b1c9e0a-1f63-4c1b-9a55-0d7b5e7c1f11', '#c1', 'x'), fc.integer({ min: 0, max: 120 }), fc.boolean());
  const NAMES = [
    'id', 'name', 'family', 'given', 'text', 'address', 'line', 'city', 'postalCode', 'state', 'telecom', 'system', 'value', 'identifier', 'type', 'coding', 'code', 'display',
    'birthDate', 'effectiveDateTime', 'valueString', 'valueAge', 'valueQuantity', 'subject', 'reference', 'note', 'authorString', 'extension', 'url', 'period', 'start', 'meta', 'source',
    'contact', 'relationship', 'photo', 'data', 'contentType', 'comparator', 'unknownThing', '_birthDate', '_given', 'div', 'status', 'issued', 'performer',
    'active', 'gender', '_city',
  ];
  const element: fc.Arbitrary<unknown> = fc.letrec<{ obj: Record<string, unknown>; val: unknown }>((tie) => ({
    obj: fc.dictionary(fc.constantFrom(...NAMES), tie('val'), { maxKeys: 5 }),
    val: fc.oneof({ depthSize: 'small' }, scalar, scalar, tie('obj'), fc.array(fc.oneof(scalar, tie('obj')), { maxLength: 3 }), fc.constant(null)),
  })).obj;
  const resourceArb = fc.record({
    resourceType: fc.constantFrom('Patient', 'Observation', 'Encounter', 'DocumentReference', 'Practitioner', 'Bundle'),
    body: element,
    contained: fc.option(fc.record({ resourceType: fc.constantFrom('Patient', 'Organization'), body: element }), { nil: undefined }),
  }).map(({ resourceType, body, contained }) => ({
    ...(body as JsonObject), resourceType,
    ...(contained === undefined ? {} : { contained: [{ ...(contained.body as JsonObject), resourceType: contained.resourceType, id: 'c1' }] }),
  }));

  it('property: random resources give the same output under both engines', () => {
    fc.assert(
      fc.property(resourceArb, fc.constantFrom(...PROFILES), (resource, profile) => {
        const { plan, tree } = pair(profile);
        const json = JSON.stringify(resource);
        const run = (d: FhirDeidentifier): unknown => {
          try {
            return summary(d.deidentify(JSON.parse(json) as JsonObject));
          } catch (e) {
            return { error: e instanceof Error ? e.message : String(e) };
          }
        };
        expect(run(plan)).toEqual(run(tree));
      }),
      { numRuns: 300 },
    );
  });

  it('property: random resources give the same output under both engines with where(...) filters and generalize', () => {
    const engines = configs().map(({ cfg }) => planAndTree(cfg));
    fc.assert(
      fc.property(resourceArb, fc.integer({ min: 0, max: engines.length - 1 }), (resource, i) => {
        const [plan, tree] = engines[i] ?? [];
        if (plan === undefined || tree === undefined) return;
        const json = JSON.stringify(resource);
        const expected = outcome(tree, json);
        // The `fhirpath` package itself fails on some malformed data (a number where R4 defines an
        // object: "ctx.getDecimal is not a function"); the plan, reading the JSON, does not.
        fc.pre(!(isJsonObject(expected) && typeof expected.error === 'string' && !expected.error.startsWith('fhir')));
        expect(outcome(plan, json)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  // Found by the property above (seed 479454212): an extension with a boolean `valueAge` (R4: Age
  // is complex) beside a number `valueString` kept `valueString` on the tree engine (both had the
  // key `extension[0].value`) and escaped its redact rule on both. conform-shape.ts now removes
  // both types of the choice before the rules run; keys use the JSON property names.
  it('a malformed extension under a generalize config: both engines remove it', () => {
    const [plan, tree] = planAndTree(whereConfig(GENERALIZE_RULES[0] ?? []));
    const json = JSON.stringify({ resourceType: 'Patient', extension: { valueAge: false, valueString: 0 } });
    expect(outcome(plan, json)).toEqual(outcome(tree, json));
    expect(JSON.stringify(outcome(plan, json))).not.toContain('extension');
  });
});
