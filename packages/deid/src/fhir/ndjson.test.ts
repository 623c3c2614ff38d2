import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonObject } from './element-tree.ts';
import { collectIdentifyingValues, findLeaks, searchableText } from './fhir-leak-check.ts';
import { corpusFiles, makeDeidentifier } from './fhir-test-setup.ts';
import { deidentifyNdjson, deidentifyNdjsonStream, ndjsonLines, registerNdjsonPatients, toNdjson, type NdjsonOutcome } from './ndjson.ts';
import { parseFhirJson } from './parse-fhir-json.ts';

const FILES = corpusFiles('fhir-bulk-ndjson-10patients', '.ndjson');

describe('Bulk Data NDJSON', () => {
  it('every file of the bulk export de-identifies with patients from Patient.000.ndjson (two passes), leaving no identifier', () => {
    const d = makeDeidentifier();
    const texts = FILES.map((f) => [path.basename(f), readFileSync(f, 'utf8')] as const);
    const patients = texts.filter(([name]) => name.startsWith('Patient'));
    expect(patients).toHaveLength(1);
    const patientValues = new Set<string>();
    for (const [name, text] of patients) {
      expect(registerNdjsonPatients(text, d, name)).toBe([...ndjsonLines(text)].length);
      for (const { text: line } of ndjsonLines(text)) collectIdentifyingValues(JSON.parse(line), patientValues);
    }
    expect(patientValues.size).toBeGreaterThan(50);
    for (const [name, text] of texts) {
      // This file's own values, and in patient files every patient's (notes name the patients;
      // provider files legitimately name towns, e.g. "Emporia" in a hospital's name).
      const values = new Set(/^(Location|Organization|Practitioner)/.test(name) ? [] : patientValues);
      for (const { text: line } of ndjsonLines(text)) collectIdentifyingValues(JSON.parse(line), values);
      const outcome = deidentifyNdjson(text, d, name);
      expect(outcome.problems.filter((p) => p.code !== 'unresolved-patient')).toEqual([]);
      const lines = [...ndjsonLines(outcome.output)];
      expect(lines).toHaveLength(outcome.records);
      expect(outcome.records).toBe([...ndjsonLines(text)].length);
      const leaks = lines.flatMap(({ text: line }) => findLeaks(values, parseFhirJson(line, { file: name })));
      expect(leaks, name).toEqual([]);
      if (name.startsWith('DocumentReference')) {
        // The notes (base64 text/plain) name the patient; resolved through the first pass, except
        // for the patients this corpus subset left out (reported, never silently).
        expect(outcome.problems.length).toBeLessThan(outcome.records / 2);
        const decoded = lines.map(({ text: line }) => searchableText(parseFhirJson(line, { file: name }))).join('\n');
        expect(decoded).toContain('[name]');
      }
    }
  });

  it('broken JSON at line 4,711 is a typed error naming file and line; the other lines are processed', () => {
    const d = makeDeidentifier();
    const good = (i: number): string => JSON.stringify({ resourceType: 'Observation', id: `obs-${String(i)}`, status: 'final', code: { text: 'heart rate' }, valueQuantity: { value: i, unit: '/min' } });
    const lines = Array.from({ length: 5000 }, (_, i) => (i === 4710 ? '{"resourceType":"Observation","id":"SECRET-4711",' : good(i)));
    const outcome = deidentifyNdjson(lines.join('\n'), d, 'Observation.000.ndjson');
    expect(outcome.records).toBe(5000);
    expect([...ndjsonLines(outcome.output)]).toHaveLength(4999);
    expect(outcome.problems).toHaveLength(1);
    const problem = outcome.problems[0];
    expect(problem?.code).toBe('fhir-bad-json');
    expect(problem?.place).toMatchObject({ file: 'Observation.000.ndjson', line: 4711 });
    expect(JSON.stringify(problem)).not.toContain('SECRET');
    expect(outcome.output).not.toContain('obs-1');
  });

  it('the chunked stream gives the same output and problems as the whole-text path, for any chunking', () => {
    const file = FILES.find((f) => f.includes('Immunization')) ?? '';
    const text = `${readFileSync(file, 'utf8').trim()}\r\n{broken\n`;
    const whole = deidentifyNdjson(text, makeDeidentifier(), 'i.ndjson');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (size) => {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        const outcome: { value?: Omit<NdjsonOutcome, 'output'> } = {};
        const out = [...deidentifyNdjsonStream(chunks, makeDeidentifier(), 'i.ndjson', outcome)].join('');
        expect(out).toBe(whole.output);
        expect(outcome.value?.records).toBe(whole.records);
        expect(outcome.value?.problems).toEqual(whole.problems);
      }),
      { numRuns: 10 },
    );
  });

  it('a line that is JSON but not a resource is reported with its JSON path', () => {
    const outcome = deidentifyNdjson('{"id":"x"}\n', makeDeidentifier(), 'a.ndjson');
    expect(outcome.problems[0]).toMatchObject({ code: 'fhir-not-a-resource', place: { file: 'a.ndjson', line: 1, path: '$.resourceType' } });
  });

  it('parse/serialize round trip: toNdjson then ndjsonLines gives back the resources (CRLF too)', () => {
    const resource = fc.record({
      resourceType: fc.constantFrom('Patient', 'Observation', 'Encounter'),
      id: fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/),
      note: fc.array(fc.record({ text: fc.string({ unit: 'grapheme' }) }), { maxLength: 3 }),
      value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
    }).map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 20 }), fc.boolean(), (resources, crlf) => {
        let text = toNdjson(resources);
        if (crlf) text = text.replaceAll('\n', '\r\n');
        const back = [...ndjsonLines(text)].map((l) => JSON.parse(l.text) as unknown);
        expect(back).toEqual(resources);
        expect(back.every(isJsonObject)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
