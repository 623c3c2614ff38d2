// Runs examples/radiology/classify.py on DICOM files from ../shared/corpus de-identified by
// @phiguard/deid, as the agent would (PHIGUARD_INPUT_DIR / PHIGUARD_OUTPUT_DIR / PHIGUARD_JOB_ID).
// Needs Debian python3-torch and python3-pydicom (.ci/run installs both).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPatientContextFactory, deidentifyDicom, deidKeyFromSecret, readDicom } from '@phiguard/deid';
import { parseRunSpec } from '@phiguard/compute';
import { ManualClock, newId } from '@phiguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(here, '../../../shared/corpus');
const script = path.join(here, 'classify.py');
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, pydicom'], { encoding: 'utf8' }).status === 0;

// Uncompressed in every byte order and VR style, multi-frame, colour; compressed ones; no pixels.
const UNCOMPRESSED = [
  'dicom-pydicom-testfiles/CT_small.dcm',
  'dicom-pydicom-testfiles/MR_small.dcm',
  'dicom-pydicom-testfiles/MR_small_bigendian.dcm',
  'dicom-pydicom-testfiles/MR_small_implicit.dcm',
  'dicom-pydicom-data/emri_small.dcm',
  'dicom-pydicom-data/SC_rgb.dcm',
];
const COMPRESSED = ['dicom-pydicom-testfiles/MR_small_jp2klossless.dcm', 'dicom-pydicom-testfiles/SC_rgb_jpeg_dcmtk.dcm', 'dicom-pydicom-testfiles/MR_small_RLE.dcm'];
const NO_PIXELS = 'dicom-pydicom-testfiles/test-SR.dcm';

interface Prediction {
  sopInstanceUid: string;
  file: string;
  class: string;
  score: number;
  frames: number;
}
interface Summary {
  jobId: string;
  device: string;
  files: number;
  classified: number;
  skipped: { file: string; reason: string }[];
  classCounts: Record<string, number>;
  seconds: { load: number; inference: number; total: number };
}

let work = '';
const uids = new Map<string, { original: string; deidentified: string }>();

function sopInstanceUid(bytes: Uint8Array): string {
  const element = readDicom(bytes).dataset.find((e) => e.tag === 0x00080018);
  return Buffer.from(element?.value ?? []).toString('latin1').replace(/[\0 ]+$/, '');
}

function run(outName: string): { status: number | null; stdout: string; stderr: string; out: string } {
  const out = path.join(work, outName);
  const r = spawnSync('/usr/bin/python3', [script, '--device', 'cpu'], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', PHIGUARD_INPUT_DIR: path.join(work, 'in'), PHIGUARD_OUTPUT_DIR: out, PHIGUARD_JOB_ID: 'job_01jz0000000000000000000000' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out };
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'phiguard-radiology-'));
  mkdirSync(path.join(work, 'in', 'series-1'), { recursive: true });
  const key = deidKeyFromSecret(new Uint8Array(32).fill(5));
  const factory = createPatientContextFactory(key);
  for (const name of [...UNCOMPRESSED, ...COMPRESSED, NO_PIXELS]) {
    const input = readFileSync(path.join(corpus, name));
    const r = deidentifyDicom(input, { key, factory, options: ['cleanDescriptors'], burnedIn: 'accept', name });
    if (!r.ok) throw new Error(`quarantined: ${name}`);
    const output = Buffer.concat(r.chunks);
    const target = `series-1/${path.basename(name)}`;
    writeFileSync(path.join(work, 'in', target), output);
    uids.set(target, { original: sopInstanceUid(input), deidentified: sopInstanceUid(output) });
  }
  writeFileSync(path.join(work, 'in', 'README.txt'), 'not an image');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasTorch)('radiology example (PyTorch on de-identified DICOM)', () => {
  it('classifies every decodable image by its de-identified SOP Instance UID and accounts for every file', () => {
    const r = run('out-1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^classified \d+ instances \(\d+ frames\) of 11 files on cpu/);
    const predictions = readFileSync(path.join(r.out, 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Prediction);
    const summary = JSON.parse(readFileSync(path.join(r.out, 'summary.json'), 'utf8')) as Summary;
    expect(summary).toMatchObject({ jobId: 'job_01jz0000000000000000000000', device: 'cpu', files: 11, classified: predictions.length });
    // Every uncompressed image is classified, keyed by the UID de-identification gave it (never the original).
    for (const name of UNCOMPRESSED) {
      const file = `series-1/${path.basename(name)}`;
      const p = predictions.find((x) => x.file === file);
      const uid = uids.get(file);
      expect(p?.sopInstanceUid).toBe(uid?.deidentified);
      expect(p?.sopInstanceUid).not.toBe(uid?.original);
      expect(['no-finding', 'finding', 'indeterminate']).toContain(p?.class);
      expect(p?.score).toBeGreaterThan(1 / 3 - 1e-6);
      expect(p?.score).toBeLessThanOrEqual(1);
    }
    expect(predictions.find((p) => p.file.endsWith('emri_small.dcm'))?.frames).toBe(10);
    // Compressed pixels: decoded when pydicom has a decoder for them (RLE is built in), else recorded, never a crash.
    for (const name of COMPRESSED) {
      const file = `series-1/${path.basename(name)}`;
      const classified = predictions.some((p) => p.file === file);
      const skipped = summary.skipped.find((s) => s.file === file);
      expect(classified !== (skipped !== undefined)).toBe(true);
      if (skipped !== undefined) expect(skipped.reason).toBe('cannot-decode');
    }
    expect(predictions.some((p) => p.file.endsWith('MR_small_RLE.dcm'))).toBe(true);
    expect(summary.skipped).toEqual(expect.arrayContaining([{ file: 'README.txt', reason: 'not-dicom' }, { file: 'series-1/test-SR.dcm', reason: 'no-pixel-data' }]));
    expect(predictions.length + summary.skipped.length).toBe(11);
    expect(Object.values(summary.classCounts).reduce((a, b) => a + b, 0)).toBe(predictions.length);
  });

  it('is deterministic (seeded weights) and prints no header value', () => {
    const a = run('out-a');
    const b = run('out-b');
    expect(readFileSync(path.join(a.out, 'predictions.jsonl'), 'utf8')).toBe(readFileSync(path.join(b.out, 'predictions.jsonl'), 'utf8'));
    for (const { original, deidentified } of uids.values()) {
      expect(a.stdout).not.toContain(original);
      expect(a.stdout).not.toContain(deidentified);
    }
  });

  it('refuses to run without its workspace variables', () => {
    const r = spawnSync('/usr/bin/python3', [script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PHIGUARD_INPUT_DIR');
  });
});

describe('job.json', () => {
  it('is a valid run spec once the dataset ids are filled in, and runs this script', () => {
    const clock = new ManualClock(0);
    const text = readFileSync(path.join(here, 'job.json'), 'utf8')
      .replace('ds_REPLACE_WITH_INPUT_DATASET_ID', newId('ds', clock))
      .replace('ds_REPLACE_WITH_OUTPUT_DATASET_ID', newId('ds', clock));
    const spec = parseRunSpec(JSON.parse(text));
    expect(spec.classification).toBe('deidentified');
    expect(spec.command[0]).toBe('/usr/bin/python3');
    expect(spec.command[1]).toMatch(/\/examples\/[a-z-]+\/classify\.py$/);
  });
});
