import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { createDicomFileDeidentifier, deidentifyDicomFiles } from './deidentify-dicom-file.ts';
import { createDicomDeidentifier } from './deidentify-dicom.ts';
import { DicomError } from './dicom-error.ts';
import { readDicom } from './read-dicom.ts';
import { openDicomFile, closeDicomFile } from './read-dicom-file.ts';
import type { ProfileOption } from './profile/profile-row.ts';
import { writeSyntheticMultiframe } from './synthetic-multiframe.ts';
import { PIXEL_DATA } from './tag.ts';
import { corpusDicomFiles } from './test-support/corpus.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(3));
const factory = createPatientContextFactory(key);
const options: ProfileOption[] = ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'dicom-stream-test-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function inMemory(bytes: Uint8Array, name: string): Buffer | string {
  try {
    const r = createDicomDeidentifier({ key, factory, options, burnedIn: 'accept' })(bytes, name);
    return r.ok ? Buffer.concat(r.chunks) : r.detail;
  } catch (error) {
    if (error instanceof DicomError) return `${error.code} ${JSON.stringify(error.place)}`;
    throw error;
  }
}

describe('streamed file reading (header read incrementally, Pixel Data left on disk)', () => {
  // Every file streamed (no whole-file reads) from a 64-byte first prefix: every way a prefix can
  // be cut is met, and the result must be the in-memory result, byte for byte, or the same error.
  const streamed = createDicomFileDeidentifier({ key, factory, options, burnedIn: 'accept', read: { wholeFileLimit: 0, firstRead: 64 } });
  it.each(corpusDicomFiles().map((f) => [f.name, f.file]))('%s: same output as the in-memory reader', async (name, file) => {
    const out = path.join(tmp, 'out.dcm');
    let got: Buffer | string;
    try {
      const r = await streamed(file, out, name);
      got = r.ok ? readFileSync(out) : r.detail;
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      got = `${error.code} ${JSON.stringify(error.place)}`;
    }
    expect(got).toEqual(inMemory(readFileSync(file), name));
  });

  it('a large file keeps only its header in memory; native and encapsulated Pixel Data are located, not read', async () => {
    for (const encapsulated of [false, true]) {
      const input = path.join(tmp, `mf-${String(encapsulated)}.dcm`);
      const size = writeSyntheticMultiframe(input, { frames: 24, rows: 256, columns: 256, encapsulated, trailer: true });
      const opened = await openDicomFile(input);
      try {
        const px = opened.file.dataset.find((e) => e.tag === PIXEL_DATA);
        expect(px?.source?.end).toBeLessThan(size); // the private trailer follows it
        expect(px?.value).toBeUndefined();
        expect(opened.bytesInMemory).toBeLessThan(300 * 1024);
        expect(opened.file.dataset.at(-1)?.tag).toBe(0x7fe11001);
      } finally {
        closeDicomFile(opened.fd);
      }
      const output = path.join(tmp, `mf-${String(encapsulated)}-out.dcm`);
      const r = await createDicomFileDeidentifier({ key, factory, burnedIn: 'accept' })(input, output);
      expect(r.ok).toBe(true);
      const back = readDicom(readFileSync(output));
      const before = readDicom(readFileSync(input));
      const pixels = (f: typeof back): Buffer => {
        const e = f.dataset.find((x) => x.tag === PIXEL_DATA);
        return Buffer.concat(e?.fragments ?? [e?.value ?? new Uint8Array(0)]);
      };
      expect(pixels(back).equals(pixels(before))).toBe(true);
      expect(back.dataset.some((e) => e.tag >>> 16 === 0x7fe1)).toBe(false);
      expect(readFileSync(output).includes(Buffer.from('Synthetic^Patient'))).toBe(false);
    }
  });

  it.each([
    ['native', false],
    ['encapsulated', true],
  ])('constant memory (%s): a file far larger than the heap cap of the process that de-identifies it', (_, encapsulated) => {
    const input = path.join(tmp, 'large.dcm');
    const output = path.join(tmp, 'large-out.dcm');
    // 1200 frames of 512×512×2 bytes: 629 MB, against a heap capped at about 53 MB (old + young space).
    const size = writeSyntheticMultiframe(input, { frames: 1200, encapsulated });
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-support/stream-child.ts');
    const r = spawnSync(process.execPath, ['--max-old-space-size=48', '--max-semi-space-size=1', child, input, output], {
      encoding: 'utf8',
    });
    rmSync(input);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      bytesWritten: number;
      bytesInMemory: number;
      maxRssBytes: number;
      heapLimitBytes: number;
    };
    expect(report.ok).toBe(true);
    expect(report.heapLimitBytes).toBeLessThan(size / 8);
    expect(report.bytesWritten).toBe(statSync(output).size);
    expect(report.bytesInMemory).toBeLessThan(1 << 20);
    // Node itself and the loaded modules take about 100 MB; a whole-file read would add 629 MB.
    expect(report.maxRssBytes).toBeLessThan(size / 4);
    rmSync(output);
  });

  it('a batch goes on past malformed files, naming each, and creates output folders once', async () => {
    const good = path.join(tmp, 'good.dcm');
    writeSyntheticMultiframe(good, { frames: 2, rows: 16, columns: 16 });
    const bad = path.join(tmp, 'bad.dcm');
    writeFileSync(bad, readFileSync(good).subarray(0, 300));
    const deid = createDicomFileDeidentifier({ key, factory, burnedIn: 'accept' });
    const jobs = [good, bad, good].map((input, i) => ({
      input,
      output: path.join(tmp, 'batch', String(i), 'o.dcm'),
      name: `f${String(i)}.dcm`,
    }));
    const results = await deidentifyDicomFiles(deid, jobs, { concurrency: 3 });
    expect(results.map((r) => `${r.job.name ?? ''} ${String(r.ok)}`).sort()).toEqual(['f0.dcm true', 'f1.dcm false', 'f2.dcm true']);
    const failed = results.find((r) => !r.ok);
    expect(failed !== undefined && 'error' in failed ? failed.error.place?.file : undefined).toBe('f1.dcm');
    expect(readDicom(readFileSync(jobs[2]!.output)).dataset.length).toBeGreaterThan(10);
  });

  it('outputs created through the thread pool (blocking: false, with and without fsync) hold the bytes of the in-memory result, mode 0600', async () => {
    const files = corpusDicomFiles().filter((f) => statSync(f.file).size < 1 << 20);
    // fsync is slow on a busy disk: a few files suffice for that branch.
    for (const [write, some] of [[{ blocking: false }, files], [{ blocking: false, fsync: true }, files.slice(0, 3)]] as const) {
      const deid = createDicomFileDeidentifier({ key, factory, options, burnedIn: 'accept', write });
      const jobs = some.map((f, i) => ({ input: f.file, output: path.join(tmp, `pool-${String(write.fsync ?? false)}`, `${String(i)}.dcm`), name: f.name }));
      const results = await deidentifyDicomFiles(deid, jobs, { concurrency: 8 });
      let written = 0;
      for (const r of results) {
        if (!r.ok) continue;
        written += 1;
        const want = inMemory(readFileSync(r.job.input), r.job.name ?? '');
        // Buffer.equals: a deep toEqual walks megabytes element by element.
        expect(typeof want !== 'string' && readFileSync(r.job.output).equals(want), r.job.name).toBe(true);
        expect(statSync(r.job.output).mode & 0o777).toBe(0o600);
      }
      expect(written).toBeGreaterThanOrEqual(Math.min(some.length, 30));
    }
  });
});
