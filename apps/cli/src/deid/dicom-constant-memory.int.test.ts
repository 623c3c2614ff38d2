import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeDicomFile, openDicomFile, writeSyntheticMultiframe } from '@phiguard/deid';
import { JOURNAL_FILE } from './deid-journal.ts';
import { sha256OfFile } from './streamed-file.ts';

// `phiguard deid dicom` on multi-frame files of hundreds of MB, through the real entry point in a
// child process with a 64 MB heap cap, interrupted (SIGKILL) after the first file and resumed.
// The heap cap alone proves little (Buffers live outside the V8 heap), so each run also reports
// its peak RSS: reading the 315 MB file whole would add at least twice its size (input and
// output buffers) to a baseline run on a small file; streaming adds a few copy blocks. The runs'
// audit ledger is PostgreSQL (a schema of its own): PGlite's WASM memory varies by hundreds of MB
// between runs and would drown the measurement.
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const bin = path.resolve(repoRoot, 'apps/cli/bin/phiguard.js');
const small = path.resolve(repoRoot, '../shared/corpus/dicom-pydicom-testfiles/CT_small.dcm');
const HEAP_MB = 64;
const REPORT_RSS = 'data:text/javascript,process.on("exit",()=>process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`))';
const PIXEL_DATA = 0x7fe00010;

const schema = `cli_dicom_big_${randomBytes(5).toString('hex')}`;
const ledgerEnv = { PHIGUARD_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}` };

function psql(sql: string): void {
  const r = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-tAc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
}
beforeAll(() => {
  psql(`CREATE SCHEMA ${schema}`);
});
afterAll(() => {
  psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function args(input: string, out: string): string[] {
  return [`--max-old-space-size=${String(HEAP_MB)}`, '--import', REPORT_RSS, bin, 'deid', 'dicom', input, '--names', 'keep', '--out', out, '--profile', 'date-shift'];
}

function cli(cwd: string, input: string, out: string): SpawnSyncReturns<string> & { maxRssBytes: number } {
  const run = spawnSync(process.execPath, args(input, out), { cwd, env: { ...process.env, ...ledgerEnv, HOME: cwd }, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  expect(run.stderr).not.toMatch(/heap out of memory/i);
  const kb = /maxrss=(\d+)/.exec(run.stderr)?.[1];
  expect(kb).toBeDefined();
  return { ...run, maxRssBytes: Number(kb) * 1024 };
}

/** SHA-256 of the Pixel Data value (native, or the encapsulated items and delimiter), located without reading it whole. */
async function pixelHash(file: string): Promise<string> {
  const opened = await openDicomFile(file);
  try {
    const source = opened.file.dataset.find((e) => e.tag === PIXEL_DATA)?.source;
    if (source === undefined) throw new Error('Pixel Data was not left in the file');
    const h = createHash('sha256');
    const block = Buffer.allocUnsafe(4 * 2 ** 20);
    for (let pos = source.valueStart; pos < source.end; ) {
      const n = readSync(opened.fd, block, 0, Math.min(block.length, source.end - pos), pos);
      if (n === 0) throw new Error('short file');
      h.update(block.subarray(0, n));
      pos += n;
    }
    return h.digest('hex');
  } finally {
    closeDicomFile(opened.fd);
  }
}

async function headerTags(file: string): Promise<number[]> {
  const opened = await openDicomFile(file);
  closeDicomFile(opened.fd);
  return opened.file.dataset.map((e) => e.tag);
}

function journalDone(out: string, output: string): boolean {
  const journal = path.join(out, JOURNAL_FILE);
  if (!existsSync(journal)) return false;
  return readFileSync(journal, 'utf8')
    .split('\n')
    .some((l) => l.includes(`"output":"${output}"`) && l.includes('"status":"done"'));
}

describe('phiguard deid dicom: large files in constant memory', () => {
  it(`streams multi-frame files of hundreds of MB under a ${String(HEAP_MB)} MB heap, resumes after SIGKILL, outputs valid with unchanged pixels`, async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicom-big-'));
    const cwd = root;
    mkdirSync(path.join(cwd, 'small'));
    copyFileSync(small, path.join(cwd, 'small/ct.dcm'));
    mkdirSync(path.join(cwd, 'in'));
    // a.dcm: 100 encapsulated frames (52 MB); b.dcm: 600 native frames (315 MB); both with a private block after Pixel Data.
    writeSyntheticMultiframe(path.join(cwd, 'in/a.dcm'), { frames: 100, encapsulated: true, trailer: true });
    const bigSize = writeSyntheticMultiframe(path.join(cwd, 'in/b.dcm'), { frames: 600, trailer: true });
    expect(bigSize).toBeGreaterThan(300 * 2 ** 20);

    // Baselines: the first run creates the key, signer and ledger; the second is a plain small run.
    expect(cli(cwd, 'small', 'out-small-1').status).toBe(0);
    const baseline = cli(cwd, 'small', 'out-small-2');
    expect(baseline.status).toBe(0);

    // Run 1: killed once a.dcm is journaled as done, while b.dcm is being hashed or written.
    const child = spawn(process.execPath, args('in', 'out'), { cwd, env: { ...process.env, ...ledgerEnv, HOME: cwd }, stdio: 'ignore' });
    let running = true;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        running = false;
        resolve();
      }),
    );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the exit listener
    while (running && !journalDone(path.join(cwd, 'out'), 'a.dcm')) await sleep(5);
    child.kill('SIGKILL');
    await exited;
    expect(journalDone(path.join(cwd, 'out'), 'a.dcm')).toBe(true);
    expect(existsSync(path.join(cwd, 'out/b.dcm')), 'run 1 finished before it could be interrupted').toBe(false);
    const firstA = sha256OfFile(path.join(cwd, 'out/a.dcm'));

    // Run 2: a.dcm resumed from the journal (not rewritten), b.dcm streamed.
    const resumed = cli(cwd, 'in', 'out');
    expect(resumed.stderr).toBe(`maxrss=${String(resumed.maxRssBytes / 1024)}\n`);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/resumed \(already done\)\s+1\b/);
    expect(resumed.stdout).toContain('deid 2/2 b.dcm: ok 1 records');
    expect(sha256OfFile(path.join(cwd, 'out/a.dcm'))).toBe(firstA);
    expect(readdirSync(path.join(cwd, 'out')).filter((f) => f.endsWith('.partial'))).toEqual([]);
    // Peak memory: well under the 315 MB file (a whole-file read would add 2× its size).
    expect(resumed.maxRssBytes - baseline.maxRssBytes).toBeLessThan(bigSize / 3);

    // The manifest lists both inputs and outputs by hash, no problems.
    const manifest = (JSON.parse(readFileSync(path.join(cwd, 'out/deid-manifest.json'), 'utf8')) as {
      manifest: { totals: { files: number; filesFailed: number }; inputs: { sha256: string }[]; outputs: { sha256: string; input: string }[] };
    }).manifest;
    expect(manifest.totals).toMatchObject({ files: 2, filesFailed: 0 });
    for (const f of ['a.dcm', 'b.dcm']) {
      const input = sha256OfFile(path.join(cwd, 'in', f));
      const output = sha256OfFile(path.join(cwd, 'out', f));
      expect(manifest.outputs).toContainEqual(expect.objectContaining({ sha256: output, input }));
      expect(statSync(path.join(cwd, 'out', f)).size).toBeGreaterThan(statSync(path.join(cwd, 'in', f)).size - 4096);
      // Valid (dcmtk reads it) and de-identified, the pixels byte for byte, the trailing private block gone.
      const dump = spawnSync('dcmdump', ['-M', path.join(cwd, 'out', f)], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
      expect(dump.status, dump.stderr).toBe(0);
      expect(dump.stdout).toMatch(/\(0012,0062\) CS \[YES\]/);
      expect(dump.stdout).not.toContain('Synthetic^Patient');
      expect(await pixelHash(path.join(cwd, 'out', f))).toBe(await pixelHash(path.join(cwd, 'in', f)));
      expect((await headerTags(path.join(cwd, 'in', f))).some((t) => t >>> 16 === 0x7fe1)).toBe(true);
      expect((await headerTags(path.join(cwd, 'out', f))).some((t) => t >>> 16 === 0x7fe1)).toBe(false);
    }
  }, 900_000);
});
