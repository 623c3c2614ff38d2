import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@phiguard/core';
import {
  builtinProfile,
  createClinicalTextDeidentifier,
  KEEP_OUTPUT_NAMES,
  createPatientContextFactory,
  deidKeyFromSecret,
  ed25519ManifestSigner,
  loadDictionaries,
  parseDeidRecipe,
  readDicom,
  writeSyntheticMultiframe,
  type BurnedInPolicy,
  type PixelRegionRule,
} from '@phiguard/deid';
import { dicomOptionsForProfile, dicomProcessor, type DicomStreaming } from '../commands/deid-dicom.ts';
import { runDeidBatch, type BatchSummary } from './batch-runner.ts';
import { DICOM_STREAM_BYTES } from './dicom-stream.ts';

// The streamed path (header read incrementally, Pixel Data copied from the input file) must write
// exactly what the whole-file path writes, and fail the same way: both are run over every corpus
// DICOM file, synthetic multi-frame files (native with a private block after Pixel Data,
// encapsulated) and truncated ones, through the real batch runner.
const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus');
const key = deidKeyFromSecret(new Uint8Array(32).fill(7));
const setup = { key, factory: createPatientContextFactory(key), profile: builtinProfile('date-shift'), namer: KEEP_OUTPUT_NAMES };
const config = {
  options: dicomOptionsForProfile('date-shift'),
  text: createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() }),
  burnedIn: 'quarantine' as BurnedInPolicy,
  identity: { issuerSystems: {} },
};

let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicom-stream-'));
  for (const d of readdirSync(corpus).filter((x) => x.startsWith('dicom-'))) {
    for (const e of readdirSync(path.join(corpus, d), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || /\.(?:txt|json)$/i.test(e.name)) continue;
      const to = path.join(root, 'in', d, path.relative(path.join(corpus, d), e.parentPath), e.name);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(path.join(e.parentPath, e.name), to);
    }
  }
  // 40 frames of 256×256×2: 5 MB each.
  mkdirSync(path.join(root, 'in/synthetic'));
  writeSyntheticMultiframe(path.join(root, 'in/synthetic/native.dcm'), { frames: 40, rows: 256, columns: 256, trailer: true });
  writeSyntheticMultiframe(path.join(root, 'in/synthetic/encapsulated.dcm'), { frames: 40, rows: 256, columns: 256, encapsulated: true, trailer: true });
  for (const [from, to] of [['native', 'cut-native'], ['encapsulated', 'cut-encapsulated']] as const) {
    const cut = path.join(root, `in/synthetic/${to}.dcm`);
    copyFileSync(path.join(root, `in/synthetic/${from}.dcm`), cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 2)); // ends inside Pixel Data
  }
});
afterAll(() => { rmSync(root, { recursive: true, force: true }); });

async function run(out: string, streaming: DicomStreaming, options: typeof config & { pixelRegions?: PixelRegionRule[] } = config): Promise<BatchSummary> {
  const processor = dicomProcessor(setup, options, streaming);
  const sink = new PassThrough();
  sink.resume();
  return runDeidBatch({
    inputs: ['in'],
    outDir: out,
    cwd: root,
    processor,
    profile: { id: 'date-shift', version: '1', hash: `sha256:${'a'.repeat(64)}` },
    keyId: key.id,
    signer: ed25519ManifestSigner(generateKeyPairSync('ed25519').privateKey),
    clock: new ManualClock(Date.parse('2026-11-24T00:00:00Z')),
    stdout: sink,
    stderr: sink,
  });
}

function outputs(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.includes('journal') && e.name !== 'deid-manifest.json')
      .map((e) => [path.relative(dir, path.join(e.parentPath, e.name)), readFileSync(path.join(e.parentPath, e.name))]),
  );
}

describe('phiguard deid dicom: streamed and whole-file paths', () => {
  it('write the same bytes and report the same problems for every corpus file and large synthetic files', async () => {
    const whole = await run('out-whole', { streamBytes: Number.POSITIVE_INFINITY });
    // Every file streamed, headers read from a 512-byte first read upwards.
    const streamed = await run('out-streamed', { streamBytes: -1, read: { wholeFileLimit: 0, firstRead: 512 } });
    const a = outputs(path.join(root, 'out-whole'));
    const b = outputs(path.join(root, 'out-streamed'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    // 53 corpus files and 4 synthetic ones; the rest of the corpus is quarantined or malformed on both paths.
    expect(whole.files).toBe(57);
    expect(a.size).toBeGreaterThanOrEqual(30);
    for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), name).toBe(true);
    expect(streamed.manifest.inputs).toEqual(whole.manifest.inputs);
    expect(streamed.manifest.outputs).toEqual(whole.manifest.outputs);
    expect(streamed.manifest.counts).toEqual(whole.manifest.counts);
    const problems = (r: BatchSummary): string[] => r.failed.map((f) => `${f.relative} ${f.problem.code} ${JSON.stringify(f.problem.place)}`).sort();
    expect(problems(streamed)).toEqual(problems(whole));
    expect(streamed.manifest.problems.map((p) => `${p.input} ${p.code}`).sort()).toEqual(whole.manifest.problems.map((p) => `${p.input} ${p.code}`).sort());
    // The truncated files fail with typed errors naming them; the quarantined corpus files too.
    const failed = problems(streamed).join('\n');
    expect(failed).toMatch(/synthetic\/cut-native\.dcm length-past-end .*"file":"synthetic\/cut-native\.dcm"/);
    expect(failed).toMatch(/synthetic\/cut-encapsulated\.dcm \S+ .*"file":"synthetic\/cut-encapsulated\.dcm"/);
    expect(failed).toMatch(/burned-in-annotation/);
    // No partial output is left behind for the failed or quarantined files.
    expect([...b.keys()].filter((k) => k.endsWith('.partial'))).toEqual([]);
  }, 300_000);

  it('write the same bytes when burned-in regions are cleaned (streamed Pixel Data read into memory for it)', async () => {
    const pixelRegions = parseDeidRecipe('%filter graylist\nLABEL sc\n  contains Modality OT\n  coordinates 0,0,10,5\nLABEL us\n  contains Modality US\n  coordinates 0,0,10,5\n');
    const clean = { ...config, burnedIn: 'clean' as BurnedInPolicy, pixelRegions };
    await run('clean-whole', { streamBytes: Number.POSITIVE_INFINITY }, clean);
    await run('clean-streamed', { streamBytes: -1, read: { wholeFileLimit: 0, firstRead: 512 } }, clean);
    const a = outputs(path.join(root, 'clean-whole'));
    const b = outputs(path.join(root, 'clean-streamed'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), name).toBe(true);
    const cleaned = [...b.values()].filter((bytes) => readDicom(bytes).dataset.some((e) => e.tag === 0x00280301 && Buffer.from(e.value ?? []).toString('latin1').trim() === 'NO'));
    expect(cleaned.length).toBeGreaterThan(0);
  }, 300_000);

  it('streams only files above the threshold by default', () => {
    const processor = dicomProcessor(setup, config);
    expect(processor.stream?.accepts('a.dcm', DICOM_STREAM_BYTES)).toBe(false);
    expect(processor.stream?.accepts('a.dcm', DICOM_STREAM_BYTES + 1)).toBe(true);
  });
});
