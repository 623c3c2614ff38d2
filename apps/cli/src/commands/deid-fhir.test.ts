import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@phiguard/core';
import { collectIdentifyingValues, findLeaks } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';
import { outputNamerOf } from '../testing/cli-harness.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpus = (p: string): string => path.resolve(repoRoot, '../shared/corpus', p);

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  process.exitCode = undefined;
});

function context(root: string): { ctx: CliContext; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  return { ctx: { version: 'test', cwd: root, env: {}, stdout, stderr, config: () => loadConfig({ cwd: root, env: {} }) }, out: () => text };
}

describe('phiguard deid fhir', () => {
  it('removes from short and long free text the identifiers no element lists (a relative, dates, SSN, phone, e-mail) by default', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-fhir-text-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'in'));
    const patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Quixote', given: ['Zebulon'] }], birthDate: '1961-03-14' };
    const observation = {
      resourceType: 'Observation', id: 'o1', status: 'final', subject: { reference: 'Patient/p1' }, code: { text: 'Call log' },
      // Short texts too: a note need not be long to hold a relative's name, a phone number and a date.
      valueString: 'Called daughter Mary Jones 617-555-0199 on 3/15/2024',
      note: [{ text: 'SSN 123-45-6789 confirmed by phone' }, { text: 'Mail to mjones@example.org; seen by Zebulon Quixote on 02/11/2023 with his son Peter Quixote.' }],
    };
    writeFileSync(path.join(root, 'in/Patient.ndjson'), `${JSON.stringify(patient)}\n`);
    writeFileSync(path.join(root, 'in/Observation.ndjson'), `${JSON.stringify(observation)}\n`);
    const secrets = ['Mary', 'Jones', 'Peter', 'Quixote', 'Zebulon', '617-555-0199', '3/15/2024', '02/11/2023', '123-45-6789', 'mjones@example.org'];
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'fhir', 'in', '--out', 'out']);
    const out = readFileSync(path.join(root, 'out/Observation.ndjson'), 'utf8');
    expect(JSON.parse(out)).toMatchObject({ resourceType: 'Observation', code: { text: 'Call log' } });
    for (const secret of secrets) expect(out, secret).not.toContain(secret);
  });

  it('de-identifies a Bulk export folder (Patient file first), keeps the layout, reports a broken line, writes the manifest', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-fhir-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'in/bulk'), { recursive: true });
    const patients = readFileSync(corpus('fhir-bulk-ndjson-10patients/Patient.000.ndjson'), 'utf8');
    const docs = readFileSync(corpus('fhir-bulk-ndjson-10patients/DocumentReference.000.ndjson'), 'utf8').split('\n').slice(0, 40);
    docs.splice(7, 0, '{"resourceType": "DocumentReference", "id": "BROKEN');
    writeFileSync(path.join(root, 'in/bulk/Patient.000.ndjson'), patients);
    writeFileSync(path.join(root, 'in/bulk/DocumentReference.000.ndjson'), `${docs.join('\n')}\n`);
    const values = new Set<string>();
    for (const line of [...patients.split('\n'), ...docs]) {
      try {
        collectIdentifyingValues(JSON.parse(line), values);
      } catch {
        // the broken line
      }
    }
    const { ctx, out } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'fhir', 'in', '--out', 'out', '--text-engine', 'known']);
    // Bulk Data file names (resource types) are kept; the folder's name becomes a keyed token.
    const names = outputNamerOf(path.join(root, '.phiguard'));
    expect(names.path('bulk/Patient.000.ndjson')).toMatch(/^[0-9A-Z]{8}\/Patient\.000\.ndjson$/);
    const outDocs = readFileSync(path.join(root, 'out', names.path('bulk/DocumentReference.000.ndjson')), 'utf8').trim().split('\n');
    expect(outDocs).toHaveLength(docs.filter((l) => l.trim() !== '').length - 1);
    const outPatients = readFileSync(path.join(root, 'out', names.path('bulk/Patient.000.ndjson')), 'utf8').trim().split('\n');
    for (const line of [...outDocs, ...outPatients]) expect(findLeaks(values, JSON.parse(line) as Record<string, unknown>)).toEqual([]);
    const manifest = readFileSync(path.join(root, 'out/deid-manifest.json'), 'utf8');
    expect(manifest).toContain('fhir-bad-json');
    expect(manifest).not.toContain('BROKEN');
    expect(out()).toMatch(/first pass: 7 patients/);
    expect(out()).not.toContain('BROKEN');
    expect(process.exitCode).toBe(1);
  });

  it('runs a Microsoft anonymizer configuration with --anonymizer-config (the global --config is the PHIGuard config)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-fhir-'));
    dirs.push(root);
    const pairs = corpus('fhir-msft-anonymizer-oracle-pairs');
    copyFileSync(path.join(pairs, 'patient-basic.json'), path.join(root, 'patient.json'));
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'fhir', 'patient.json', '--names', 'keep', '--out', 'out', '--anonymizer-config', path.join(pairs, 'configurations/common-config.json')]);
    const got: unknown = JSON.parse(readFileSync(path.join(root, 'out/patient.json'), 'utf8'));
    const want: unknown = JSON.parse(readFileSync(path.join(pairs, 'patient-basic-target.json'), 'utf8').replace(/^\uFEFF/, ''));
    expect(got).toEqual(want);
  });
});
