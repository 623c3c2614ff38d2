import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformShape } from './conform-shape.ts';
import { type JsonObject, isJsonObject } from './element-tree.ts';
import { DEFAULT_ENVIRONMENT, FhirRuleAnonymizer } from './fhir-rule-anonymizer.ts';
import { collectIdentifyingValues, findLeaks } from './fhir-leak-check.ts';
import { corpus, makeDeidentifier } from './fhir-test-setup.ts';
import { parseMsftConfig } from './msft-config.ts';

const NAME = 'Zebulon Quixote';

/** Malformed Patients: each hides a seeded identifier where the R4 model does not expect it. */
const MALFORMED: readonly { readonly shape: JsonObject; readonly seed: string; readonly path: string }[] = [
  { shape: { name: [NAME] }, seed: NAME, path: 'Patient.name[0]' },
  { shape: { name: [{ family: { x: NAME } }] }, seed: NAME, path: 'Patient.name[0].family' },
  { shape: { name: [{ given: [{ x: NAME }] }] }, seed: NAME, path: 'Patient.name[0].given[0]' },
  { shape: { name: [{ given: [[NAME]] }] }, seed: NAME, path: 'Patient.name[0].given[0]' },
  { shape: { address: NAME }, seed: NAME, path: 'Patient.address' },
  { shape: { address: [{ line: [[NAME]] }] }, seed: NAME, path: 'Patient.address[0].line[0]' },
  { shape: { telecom: [{ system: 'phone', value: { v: '555-867-5309' } }] }, seed: '5309', path: 'Patient.telecom[0].value' },
  { shape: { birthDate: { d: '1950-05-04' } }, seed: '1950-05-04', path: 'Patient.birthDate' },
  { shape: { birthDate: ['1950-05-04'] }, seed: '1950-05-04', path: 'Patient.birthDate' },
  { shape: { contact: [{ name: NAME }] }, seed: NAME, path: 'Patient.contact[0].name' },
  { shape: { managingOrganization: NAME }, seed: NAME, path: 'Patient.managingOrganization' },
  { shape: { managingOrganization: { display: [NAME] } }, seed: NAME, path: 'Patient.managingOrganization.display' },
  { shape: { text: NAME }, seed: NAME, path: 'Patient.text' },
  { shape: { gender: { g: NAME } }, seed: NAME, path: 'Patient.gender' },
  { shape: { active: NAME }, seed: NAME, path: 'Patient.active' },
  { shape: { multipleBirthInteger: NAME }, seed: NAME, path: 'Patient.multipleBirthInteger' },
  { shape: { deceasedBoolean: NAME, deceasedDateTime: '2020-01-01' }, seed: NAME, path: 'Patient.deceasedBoolean' },
  { shape: { extension: [NAME] }, seed: NAME, path: 'Patient.extension[0]' },
  { shape: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: NAME }] }, seed: NAME, path: 'Patient.extension[0].valueAddress' },
  { shape: { _gender: NAME, gender: 'male' }, seed: NAME, path: 'Patient._gender' },
  { shape: { _name: [{ extension: [{ url: 'u', valueString: NAME }] }] }, seed: NAME, path: 'Patient._name' },
  { shape: { contact: [{ resourceType: 'Patient', name: [{ family: 'Quixote' }] }] }, seed: 'Quixote', path: 'Patient.contact[0]' },
  { shape: { contained: [{ name: [{ family: 'Quixote' }] }] }, seed: 'Quixote', path: 'Patient.contained[0]' },
];

describe('conformShape: what R4 cannot place is removed before the rules run', () => {
  it('removes each malformed value, names its path and never quotes it', () => {
    for (const { shape, seed, path: at } of MALFORMED) {
      const resource = { resourceType: 'Patient', ...structuredClone(shape) };
      const problems = conformShape(resource, 'Patient', false);
      expect(problems.map((p) => p.path), JSON.stringify(shape)).toContain(at);
      expect(JSON.stringify(problems)).not.toContain(seed);
      expect(JSON.stringify(resource), JSON.stringify(shape)).not.toContain(seed);
    }
  });

  it('keeps well-formed values, lenient single values included, and is idempotent', () => {
    const resource: JsonObject = {
      resourceType: 'Patient', id: 'p1', active: true, multipleBirthInteger: 2, gender: 'female', _gender: { extension: [{ url: 'u', valueCode: 'x' }] },
      name: { family: 'Doe', given: ['Jane', null], _given: [null, { extension: [{ url: 'u', valueString: 'y' }] }] },
      extension: [{ url: 'u', valueAge: { value: 3, unit: 'a' } }],
      contained: [{ resourceType: 'Organization', id: 'o1', name: 'Acme' }],
    };
    const before = JSON.stringify(resource);
    expect(conformShape(resource, 'Patient', false)).toEqual([]);
    expect(JSON.stringify(resource)).toBe(before);
  });

  it('two types of one choice element: both go', () => {
    const resource: JsonObject = { resourceType: 'Observation', status: 'final', valueString: NAME, _valueString: { id: 'a' }, valueQuantity: { value: 1 } };
    const problems = conformShape(resource, 'Observation', false);
    expect(problems.map((p) => p.path).sort()).toEqual(['Observation._valueString', 'Observation.valueQuantity', 'Observation.valueString']);
    expect(resource).toEqual({ resourceType: 'Observation', status: 'final' });
  });

  it('unknown elements: removed with their companions when asked, else kept', () => {
    const make = (): JsonObject => ({ resourceType: 'Patient', given: {}, _given: { extension: NAME }, name: [{ nickname: NAME }] });
    const dropped = make();
    expect(conformShape(dropped, 'Patient', true)).toEqual([]);
    expect(dropped).toEqual({ resourceType: 'Patient', name: [{}] });
    const kept = make();
    conformShape(kept, 'Patient', false);
    expect(kept).toEqual(make());
  });

  it('nested resources are checked as resources of their own', () => {
    const bundle: JsonObject = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', birthDate: ['1950-05-04'] } }, { resource: { resourceType: 'NotAType' } }] };
    const problems = conformShape(bundle, 'Bundle', true);
    expect(problems.map((p) => p.path)).toEqual(['Bundle.entry[0].resource.birthDate', 'Bundle.entry[1].resource']);
  });
});

describe('malformed input through the de-identifiers', () => {
  it('safe-harbor: no seeded value survives; each removal is a problem and counted', () => {
    for (const { shape, seed } of MALFORMED) {
      const { resource, problems, tally } = makeDeidentifier().deidentify({ resourceType: 'Patient', id: 'p1', ...structuredClone(shape) });
      const out = JSON.stringify({ resource, problems });
      expect(out, JSON.stringify(shape)).not.toContain(seed);
      expect(problems.some((p) => p.code === 'malformed-element-removed'), JSON.stringify(shape)).toBe(true);
      expect(tally.entries().some((e) => e.rule === 'fhir.redact:malformed'), JSON.stringify(shape)).toBe(true);
    }
  });

  it('an unknown resourceType is refused, naming the place only', () => {
    expect(() => makeDeidentifier().deidentify({ resourceType: NAME, name: NAME })).toThrow(expect.objectContaining({ code: 'fhir-not-a-resource', place: { path: 'resourceType' } }));
  });

  it('a Microsoft configuration: both engines remove the same malformed values', () => {
    const cfg = parseMsftConfig(JSON.stringify({
      fhirPathRules: [{ path: "nodesByType('Extension')", method: 'redact' }, { path: "nodesByType('HumanName')", method: 'redact' }, { path: 'Patient.address', method: 'redact' }],
      parameters: { dateShiftKey: 'k', cryptoHashKey: 'h', enablePartialDatesForRedact: true },
    }));
    const run = (shape: JsonObject, treeEngine: boolean): string => {
      const anonymizer = new FhirRuleAnonymizer({ rules: cfg.rules, parameters: cfg.parameters, labels: 'msft', dropUnknownElements: false, treeEngine });
      return JSON.stringify(anonymizer.anonymize({ resourceType: 'Patient', ...structuredClone(shape) }, { environment: () => DEFAULT_ENVIRONMENT, record: () => undefined }));
    };
    const shapes: JsonObject[] = [
      { extension: [{ url: 'http://x', valueAge: NAME }] },
      { extension: [{ url: 'http://x', valueAge: false, valueString: NAME }] },
      { extension: [{ url: 'http://x', valueAge: { value: 3 }, valueString: NAME }] },
      { extension: [{ url: 'http://x', value: 'kept: unknown', valueString: NAME }] },
      ...MALFORMED.filter((m) => 'name' in m.shape || 'address' in m.shape || 'extension' in m.shape).map((m) => m.shape),
    ];
    for (const shape of shapes) {
      const plan = run(shape, false);
      expect(plan, JSON.stringify(shape)).toBe(run(shape, true));
      expect(plan, JSON.stringify(shape)).not.toContain(NAME);
    }
  });
});

/** Every string leaf of a JSON value: its holder and key. */
function stringLeaves(value: unknown, out: { holder: JsonObject | unknown[]; key: string | number }[] = []): typeof out {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === 'string') out.push({ holder: value, key: i });
      else stringLeaves(v, out);
    });
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && k !== 'resourceType') out.push({ holder: value, key: k });
      else stringLeaves(v, out);
    }
  }
  return out;
}

describe('property: identifiers of real records, wrapped in random shapes, never leak (safe-harbor)', () => {
  const patients = readFileSync(path.join(corpus('fhir-bulk-ndjson-10patients'), 'Patient.000.ndjson'), 'utf8').trim().split('\n');
  const wrap = fc.constantFrom<(s: string) => unknown>((s) => [s], (s) => [[s]], (s) => ({ x: s }), (s) => [{ value: s }], (s) => ({ resourceType: 'Basic', text: s }), (s) => s.length, () => true);

  it('mutated Synthea Patients', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: patients.length - 1 }), fc.array(fc.tuple(fc.nat(), wrap), { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const resource = JSON.parse(patients[which] ?? '{}') as JsonObject;
        const identifying = collectIdentifyingValues(resource);
        for (const [pick, shape] of mutations) {
          const leaves = stringLeaves(resource);
          const leaf = leaves[pick % leaves.length];
          if (leaf === undefined) continue;
          const { holder, key } = leaf;
          const s = (holder as Record<string | number, unknown>)[key] as string;
          (holder as Record<string | number, unknown>)[key] = shape(s);
        }
        const { resource: out, problems } = makeDeidentifier().deidentify(resource);
        expect(findLeaks(identifying, out)).toEqual([]);
        expect(findLeaks(identifying, { problems })).toEqual([]);
        // What is left fits the R4 model everywhere: every value went through its rule.
        expect(conformShape(out, 'Patient', true)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
