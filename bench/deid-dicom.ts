// `npm run bench -- deid-dicom [--quick]`: DICOM de-identification throughput (PS3.15 Annex E Basic
// Profile + the CLI's date-shift options), one core, side by side with gdcmanon (GDCM, the peer) on
// the same files in the same run: as users run both (a process over a folder, start-up included),
// per file in steady state, against a plain per-file copy (the limit), on ext4 and on tmpfs; and a
// large multi-frame file against a plain copy. Keys of BENCHMARKS.md: files_per_s,
// ratio_to_gdcmanon, large_ratio_to_copy (docs/deid/dicom.md says which arm each key is).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createClinicalTextDeidentifier,
  createPatientContextFactory,
  deidKeyFromSecret,
  createDicomFileDeidentifier,
  deidentifyDicomFiles,
  loadDictionaries,
  writeSyntheticMultiframe,
  type DicomFileDeidentifier,
  type DicomProfileOption,
} from '@phiguard/deid';
import { corpusDicomFiles, gdcmanonFiles } from './deid-dicom/file-set.ts';
import { measureFsArms, type FsArms } from './deid-dicom/fs-arms.ts';
import { fsMetrics } from './deid-dicom/fs-metrics.ts';
import { median, timedRun } from './deid-dicom/pinned-run.ts';
import { isQuick, writeResult } from './lib/result.ts';

const quick = isQuick();
const rounds = quick ? 2 : 5;
/** Untimed passes of each variant over the corpus files before the headline's rounds (JIT warm-up). */
const warmups = quick ? 3 : 10;
const largeFrames = quick ? 128 : 600; // 512×512×2 bytes per frame: 64 MiB quick, 300 MiB full
// Files in flight (headline): their writes go through libuv's pool while this one thread does all the CPU work.
const concurrency = 8;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
// One core for both sides: gdcmanon, and this whole process (its JS thread and libuv's I/O threads),
// so overlapping I/O with CPU work cannot borrow the second core.
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0 ? ['taskset', '-c', '0'] : [];
if (pin.length > 0 && process.env.PHIGUARD_BENCH_PINNED !== '1') {
  const again = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, PHIGUARD_BENCH_PINNED: '1' },
  });
  process.exit(again.status ?? 1);
}
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-deid-dicom-'));

async function checkedBatch(deid: DicomFileDeidentifier, list: readonly string[], outDir: string, inFlight: number): Promise<void> {
  const results = await deidentifyDicomFiles(
    deid,
    list.map((f) => ({ input: f, output: path.join(outDir, path.basename(f)) })),
    { concurrency: inFlight },
  );
  if (results.some((r) => !r.ok)) throw new Error('unexpected quarantine or read error');
}

try {
  const cert = path.join(tmp, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(tmp, 'key.pem'),
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=phiguard-bench',
    ],
    { stdio: 'ignore' },
  );

  const gdcmanonArgs = ['gdcmanon', '-e', '-c', cert, '--continue'];
  const gdcmanon = (input: string, output: string) => timedRun(pin, [...gdcmanonArgs, '-i', input, '-o', output]);
  const all = corpusDicomFiles(corpus);
  const inDir = path.join(tmp, 'in');
  const files = gdcmanonFiles(all, inDir, tmp, gdcmanonArgs);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);

  const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
  const options: DicomProfileOption[] = ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
  const text = createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() });
  // Headline: 8 files in flight, outputs created and written through the thread pool (overlapping the CPU work).
  // Beside it: blocking reads and writes, one file at a time (the least CPU; the library default).
  // Each batch gets a new de-identifier, as a new batch would: no pseudonym, UID or descriptor memo
  // carries over from the previous round (the JIT's compiled code does: see the warm-up below).
  const deidentifier = (variant: 'overlapped' | 'blocking'): DicomFileDeidentifier =>
    createDicomFileDeidentifier({ key, factory: createPatientContextFactory(key), options, text, burnedIn: 'accept', ...(variant === 'overlapped' ? { write: { blocking: false } } : {}) });
  const blocking = deidentifier('blocking');
  const run = (outDir: string, variant: 'overlapped' | 'blocking'): Promise<void> =>
    checkedBatch(deidentifier(variant), files, outDir, variant === 'overlapped' ? concurrency : 1);

  // Corpus: files/s, read + de-identify + write (file to file), median of rounds, in a warm process:
  // V8 compiles the hot code over the first few hundred files, on the same pinned core (a cold
  // first batch runs at a third to a half of the warm rate; the *_cli arms include that and start-up).
  const oursOut = path.join(tmp, 'ours');
  mkdirSync(oursOut);
  for (let w = 0; w < warmups; w++) {
    await run(path.join(oursOut, `warmup-${String(w)}`), 'overlapped');
    await run(path.join(oursOut, `warmup-blocking-${String(w)}`), 'blocking');
  }
  const oursTimes: number[] = [];
  const blockingTimes: number[] = [];
  const peerTimes: number[] = [];
  const oursCpu: number[] = [];
  const blockingCpu: number[] = [];
  const peerCpu: number[] = [];
  // Before each timed run: write back what the previous run left dirty (its writeback would otherwise land on the next one).
  const settle = (): void => {
    spawnSync('sync');
  };
  for (let r = 0; r < rounds; r++) {
    // A fresh output folder per round, as for gdcmanon (no truncation of earlier outputs); our two
    // variants swap order each round.
    const timeOurs = async (variant: 'overlapped' | 'blocking'): Promise<void> => {
      settle();
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await run(path.join(oursOut, variant === 'overlapped' ? String(r) : `blocking-${String(r)}`), variant);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const c1 = process.cpuUsage(c0);
      if (variant === 'blocking') {
        blockingTimes.push(seconds);
        blockingCpu.push((c1.user + c1.system) / 1e6);
      } else {
        oursTimes.push(seconds);
        oursCpu.push((c1.user + c1.system) / 1e6);
      }
    };
    for (const variant of r % 2 === 0 ? (['overlapped', 'blocking'] as const) : (['blocking', 'overlapped'] as const))
      await timeOurs(variant);
    const peerOut = path.join(tmp, `peer-${String(r)}`);
    mkdirSync(peerOut);
    settle();
    const peer = gdcmanon(inDir, peerOut);
    if (!peer.ok || readdirSync(peerOut).length !== files.length) throw new Error('gdcmanon did not process every file');
    peerTimes.push(peer.seconds);
    peerCpu.push(peer.cpu);
  }
  const filesPerS = files.length / median(oursTimes);
  const peerFilesPerS = files.length / median(peerTimes);

  // Every arm on ext4 (the temp folder) and again on tmpfs (/dev/shm): file system vs the tools' own CPU.
  const libraries = {
    overlapped: async (list: readonly string[], outDir: string): Promise<void> => {
      await checkedBatch(deidentifier('overlapped'), list, outDir, concurrency);
    },
    blocking: async (list: readonly string[], outDir: string): Promise<void> => {
      await checkedBatch(deidentifier('blocking'), list, outDir, 1);
    },
  };
  const armsConfig = {
    files,
    replicas: quick ? 3 : 10,
    rounds: quick ? 1 : 5,
    pin,
    gdcmanon: gdcmanonArgs,
    cli: [process.execPath, path.join(repoRoot, 'apps/cli/bin/phiguard.js'), 'deid', 'dicom', '--profile', 'date-shift', '--burned-in', 'accept'],
    libraries,
  };
  const ext4Root = path.join(tmp, 'fs');
  mkdirSync(ext4Root);
  const ext4 = await measureFsArms({ ...armsConfig, root: ext4Root });
  const shmRoot = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/bench-deid-dicom-') : undefined;
  let shm: FsArms | undefined;
  try {
    if (shmRoot !== undefined) shm = await measureFsArms({ ...armsConfig, root: shmRoot });
  } finally {
    if (shmRoot !== undefined) rmSync(shmRoot, { recursive: true, force: true });
  }

  // Large multi-frame file: ours vs a plain copy (read + write), and gdcmanon.
  const large = path.join(tmp, 'large.dcm');
  writeSyntheticMultiframe(large, { frames: largeFrames });
  const largeMb = statSync(large).size / 1e6;
  const copyTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t0 = process.hrtime.bigint();
    writeFileSync(path.join(tmp, 'copy.dcm'), readFileSync(large));
    copyTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
    rmSync(path.join(tmp, 'copy.dcm'));
    t0 = process.hrtime.bigint();
    // Streamed: the header is read, Pixel Data copied from the input file in 4 MiB blocks.
    const r1 = await blocking(large, path.join(tmp, 'large-ours.dcm'));
    if (!r1.ok) throw new Error('unexpected quarantine');
    largeTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
    rmSync(path.join(tmp, 'large-ours.dcm'));
  }
  const peerLarge = gdcmanon(large, path.join(tmp, 'large-peer.dcm'));
  const largeMbS = largeMb / median(largeTimes);
  const copyMbS = largeMb / median(copyTimes);

  writeResult({
    bench: 'deid-dicom',
    quick,
    metrics: {
      files_per_s: Math.round(filesPerS * 10) / 10,
      mb_per_s: Math.round((bytes / 1e6 / median(oursTimes)) * 10) / 10,
      files_per_s_blocking: Math.round((files.length / median(blockingTimes)) * 10) / 10,
      gdcmanon_files_per_s: Math.round(peerFilesPerS * 10) / 10,
      ratio_to_gdcmanon: Math.round((filesPerS / peerFilesPerS) * 100) / 100,
      corpus_files: files.length,
      // CPU seconds (user + sys) instead of wall time: robust to other load on a shared machine.
      cpu_files_per_s: Math.round((files.length / median(oursCpu)) * 10) / 10,
      gdcmanon_cpu_files_per_s: Math.round((files.length / median(peerCpu)) * 10) / 10,
      cpu_ratio_to_gdcmanon: Math.round((median(peerCpu) / median(oursCpu)) * 100) / 100,
      // One pinned core leaves the pool nothing to run beside the JS thread: its round trips are pure CPU.
      cpu_ratio_to_gdcmanon_blocking: Math.round((median(peerCpu) / median(blockingCpu)) * 100) / 100,
      large_mb: Math.round(largeMb),
      large_mb_per_s: Math.round(largeMbS),
      copy_mb_per_s: Math.round(copyMbS),
      large_ratio_to_copy: Math.round((largeMbS / copyMbS) * 100) / 100,
      gdcmanon_large_mb_per_s: peerLarge.ok ? Math.round(largeMb / peerLarge.seconds) : Number.NaN,
      replicated_files: ext4.nReplicated,
      // The previous round's key: our library in this process (no start-up) vs one gdcmanon process, 380 files.
      gdcmanon_files_per_s_replicated: Math.round((ext4.nReplicated / (ext4.seconds.gdcmanonReplicated ?? Number.NaN)) * 10) / 10,
      ratio_to_gdcmanon_replicated: Math.round(((ext4.seconds.gdcmanonReplicated ?? Number.NaN) / (ext4.seconds['library-overlapped'] ?? Number.NaN)) * 100) / 100,
      ...fsMetrics(ext4, ''),
      ...(shm === undefined ? {} : fsMetrics(shm, '_tmpfs')),
      load_average_1m: Math.round((os.loadavg()[0] ?? Number.NaN) * 100) / 100,
    },
    notes:
      `Files: the ${String(files.length)} of ${String(all.length)} corpus DICOM files gdcmanon can process (it stops at UN sequences and ill-formed files); ` +
      `replicated: the same ${String(armsConfig.replicas)} times over in one folder (${String(ext4.nReplicated)} files, distinct names). ` +
      `Everything pinned to core 0${pin.length > 0 ? ' with taskset (this process re-executed under it, gdcmanon, our CLI and cp as children)' : ' — taskset unavailable here, so NOT pinned'}; ` +
      `a fresh output folder per run, \`sync\` before each timed run, no fsync by either tool. ` +
      `Ours: Basic Profile + Retain Modified Dates + Clean Descriptors/Structured Content/Graphics with the clinical text engine (the CLI's --profile date-shift); ` +
      `gdcmanon -e (PS3.15 Basic Profile, original attributes AES-256 encrypted into the file) in directory mode. ` +
      `ratio_to_gdcmanon (the key of BENCHMARKS.md, kept from earlier rounds): our library (deidentifyDicomFiles, ${String(concurrency)} files in flight, outputs created through libuv's pool) ` +
      `in this Node process, whose start-up is NOT timed (after ${String(warmups)} untimed passes of each variant: V8's compiled code warm; a new de-identifier per batch: no memo warm), against one gdcmanon process over the ${String(files.length)} files, whose start-up IS timed; median of ${String(rounds)} rounds ` +
      `(files_per_s_blocking: the library with blocking calls, one file at a time; cpu_*: user + sys of the whole process). ` +
      `Per file system (ext4 = the temp folder; *_tmpfs = input, output and PHIGUARD_HOME on /dev/shm), median of ${String(armsConfig.rounds)} rounds, arms in a rotating order: ` +
      `*_cli: each tool as users run it, one process over the folder, start-up included (\`phiguard deid dicom IN --out OUT --profile date-shift --burned-in accept\`: ` +
      `Node start-up, module load, PGlite audit ledger, keys, resumable journal, SHA-256 of inputs and outputs, signed manifest; vs \`gdcmanon -i IN -o OUT\`), on N and on 10·N files; ` +
      `*_steady: per-file rate with start-up subtracted, (10·N − N) / (t(10·N) − t(N)) for each tool; *_startup_ms: t(N) − N / steady rate. ` +
      `files_per_s_replicated(_blocking): our library in this process on the 10·N files (no start-up), ratio_to_gdcmanon_steady_library(_blocking) against gdcmanon's steady rate; ` +
      `ratio_to_gdcmanon_replicated (kept from earlier rounds): the library against one gdcmanon process over the 10·N files. ` +
      `copy_files_per_s: the limit, the 10·N files copied one by one in this process (open, read, create, write, close; blocking calls, one 1 MiB buffer); ` +
      `cp_files_per_s: \`cp -r\` as a process; max_ratio_to_gdcmanon_steady = copy / gdcmanon steady: no tool can reach more against gdcmanon per file. ` +
      `*_cpu_us_per_file: user + sys per file (steady: difference of the two runs). ` +
      `Large: synthetic ${String(largeFrames)}-frame 512x512x16-bit MR in a temp dir, streamed (header read, Pixel Data copied from the input file in 4 MiB blocks); ` +
      `copy = readFileSync + writeFileSync of the same file; median of 3. load_average_1m: at the end of the run.`,
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
