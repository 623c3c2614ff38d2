import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BundleEntryScanner } from './bundle-entry-scanner.ts';
import { deidentifyBundleStream, registerBundlePatientsStream, type BundleStreamOutcome } from './bundle-stream.ts';
import { isJsonObject } from './element-tree.ts';
import { FhirDeidError } from './fhir-deid-error.ts';
import { collectIdentifyingValues, findLeaks } from './fhir-leak-check.ts';
import { corpusFiles, makeDeidentifier, readJson } from './fhir-test-setup.ts';

function chunked(text: string, sizes: readonly number[]): string[] {
  const out: string[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function scan(chunks: readonly string[]): { entries: unknown[]; shell: unknown } {
  const s = new BundleEntryScanner();
  const entries: unknown[] = [];
  for (const c of chunks) for (const p of s.push(c)) if (p.kind === 'entry') entries.push(JSON.parse(p.text));
  return { entries, shell: JSON.parse(s.end().text) };
}

describe('BundleEntryScanner (streaming JSON tokenizer)', () => {
  it('splits any chunking of a Bundle into its entries and shell, strings with braces and escapes included', () => {
    const entry = fc.record({
      fullUrl: fc.string(),
      resource: fc.record({ resourceType: fc.constant('Basic'), id: fc.string(), note: fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }) }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.string(), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }), (entries, id, sizes) => {
        const bundle = { resourceType: 'Bundle', id, type: 'collection', entry: entries, link: [{ relation: 'self', url: '{"entry":[' }] };
        const text = JSON.stringify(bundle, null, sizes[0] === 1 ? 2 : undefined);
        const { entries: got, shell } = scan(chunked(text, sizes));
        expect(got).toEqual(JSON.parse(JSON.stringify(entries)));
        expect({ ...(shell as object), entry: got }).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });

  it('a truncated Bundle is a typed error', () => {
    const s = new BundleEntryScanner();
    s.push('{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Basic"}}');
    expect(() => s.end()).toThrow(FhirDeidError);
  });

  it('streams a Synthea Bundle in small chunks to the same result as the whole-file path', () => {
    const file = corpusFiles('fhir-synthea-hiv-bundles')[1] ?? '';
    const text = readFileSync(file, 'utf8');
    const values = collectIdentifyingValues(readJson(file));
    const streaming = makeDeidentifier();
    registerBundlePatientsStream(chunked(text, [4096]), streaming, 'b.json');
    const outcome: { value?: BundleStreamOutcome } = {};
    const out = [...deidentifyBundleStream(chunked(text, [4096, 333]), streaming, 'b.json', outcome)].join('');
    const streamed = JSON.parse(out) as Record<string, unknown>;
    const whole = makeDeidentifier().deidentify(readJson(file)).resource;
    expect(streamed.entry).toEqual(whole.entry);
    expect(new Set(((streamed.meta as Record<string, unknown>).security as unknown[]).map((l) => (isJsonObject(l) ? l.code : '')))).toEqual(
      new Set(((whole.meta as Record<string, unknown>).security as unknown[]).map((l) => (isJsonObject(l) ? l.code : ''))),
    );
    expect(findLeaks(values, streamed)).toEqual([]);
    expect(outcome.value?.records).toBe((whole.entry as unknown[]).length);
    expect(outcome.value?.problems.filter((p) => p.code !== 'unresolved-patient')).toEqual([]);
  });

  it('a malformed element of a streamed entry is removed and reported at its place in the whole Bundle', () => {
    const entries = [
      { resource: { resourceType: 'Patient', id: 'p1', gender: 'female' } },
      { resource: { resourceType: 'Patient', id: 'p2', name: ['Zebulon Quixote'] } },
    ];
    const text = JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: entries });
    const outcome: { value?: BundleStreamOutcome } = {};
    const out = [...deidentifyBundleStream(chunked(text, [17]), makeDeidentifier(), 'b.json', outcome)].join('');
    expect(out).not.toContain('Quixote');
    const problems = outcome.value?.problems.filter((p) => p.code === 'malformed-element-removed');
    expect(problems?.map((p) => p.place)).toEqual([{ path: 'Bundle.entry[1].resource.name[0]', file: 'b.json', index: 1 }]);
  });
});
