// De-identified output checked by independent readers: dcmtk dcmdump, pydicom, dicom3tools dciodvfy
// (Debian dcmtk, python3-pydicom, dicom3tools; installed by .ci/run).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { deidentifyDicom } from './deidentify-dicom.ts';
import type { ProfileOption } from './profile/profile-row.ts';
import { corpusDicomFiles, readCorpus } from './test-support/corpus.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(9));
const factory = createPatientContextFactory(key);
const OPTIONS: ProfileOption[] = ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
const files = corpusDicomFiles();
let dir = '';
const outputs = new Map<string, string>();

/**
 * Inputs where a dciodvfy comparison says nothing: nested_priv_SQ.dcm is no IOD instance (no SOP
 * Class, only illegal group 0001 elements); dciodvfy stops at "Tags out of order" on the input
 * and so reports less for it than for the (well-formed, empty) output.
 */
const DCIODVFY_EXCEPTIONS = new Set(['dicom-pydicom-testfiles/nested_priv_SQ.dcm']);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phiguard-dicom-'));
  files.forEach((f, i) => {
    const r = deidentifyDicom(readCorpus(f.name), { key, factory, options: OPTIONS, burnedIn: 'accept', name: f.name });
    if (!r.ok) throw new Error(`unexpected quarantine of ${f.name}`);
    const target = path.join(dir, `${String(i)}.dcm`);
    writeFileSync(target, Buffer.concat(r.chunks));
    outputs.set(f.name, target);
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function dciodvfyErrors(file: string): Set<string> {
  const r = spawnSync('dciodvfy', [file], { encoding: 'latin1' });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
  // Compare kinds of errors, not values (values change by design: UIDs, dates, names).
  return new Set(
    lines.map((l) =>
      l
        .replace(/= <[^>]*>/g, '')
        .replace(/value = .*/, '')
        .replace(/\[\d+\]/g, '')
        .replace(/Character invalid for this VR = .*/, '')
        .replace(/values are .*/, '')
        .replace(/ReferencedSOPInstanceUID \S+/, 'ReferencedSOPInstanceUID')
        .trim(),
    ),
  );
}

describe('output read by independent tools', () => {
  it('dcmtk dcmdump reads every output without error', () => {
    for (const [name, file] of outputs) {
      const r = spawnSync('dcmdump', ['-q', file], { encoding: 'latin1' });
      expect({ name, status: r.status, stderr: r.stderr.split('\n').filter((l) => l.startsWith('E:')) }).toEqual({
        name,
        status: 0,
        stderr: [],
      });
    }
  });

  it('pydicom reads every output and walks every element', () => {
    const script = [
      'import sys, pydicom',
      'bad = []',
      'for f in sys.argv[1:]:',
      '    try:',
      '        ds = pydicom.dcmread(f)',
      '        ds.walk(lambda d, e: e.value)',
      '    except Exception as e:',
      '        bad.append(f + ": " + type(e).__name__)',
      'print("\\n".join(bad))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', script, ...outputs.values()], { encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });

  it('dicom3tools dciodvfy reports no new kind of error compared with the input', () => {
    const added: Record<string, string[]> = {};
    for (const f of files) {
      if (DCIODVFY_EXCEPTIONS.has(f.name)) continue;
      const before = dciodvfyErrors(f.file);
      const after = dciodvfyErrors(outputs.get(f.name)!);
      const fresh = [...after].filter((e) => !before.has(e));
      if (fresh.length > 0) added[f.name] = fresh;
    }
    expect(added).toEqual({});
  });
});
