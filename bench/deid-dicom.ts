// `npm run bench -- deid-dicom [--quick]`: DICOM de-identification throughput (PS3.15 Annex E Basic
// Profile + the CLI's date-shift options), one core, side by side with gdcmanon (GDCM, the peer) on
// the same files in the same run, and a plain file copy (read + write) as the limit for a large
// multi-frame file. Keys of BENCHMARKS.md: files_per_s, ratio_to_gdcmanon, large_ratio_to_copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  type DicomProfileOption,
} from '@phiguard/deid';
import { isQuick, writeResult } from './lib/result.ts';

const quick = isQuick();
const rounds = quick ? 2 : 5;
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

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Runs gdcmanon; wall seconds, and CPU seconds (user + sys of the child, from bash's `times`). */
function gdcmanon(input: string, output: string, cert: string): { ok: boolean; seconds: number; cpu: number } {
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const command = `${pin.join(' ')} gdcmanon -e -c ${quote(cert)} -i ${quote(input)} -o ${quote(output)} --continue >/dev/null 2>&1; rc=$?; times; exit $rc`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // `times` prints shell then children user/sys as `XmY.YYYs XmY.YYYs`.
  const child = r.stdout.trim().split('\n').at(-1) ?? '';
  const cpu = [...child.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { ok: r.status === 0, seconds, cpu };
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

  // The corpus files gdcmanon can process (it stops a directory run at the first file it cannot write).
  const all = readdirSync(corpus)
    .filter((d) => d.startsWith('dicom-'))
    .flatMap((d) => walk(path.join(corpus, d)))
    .filter((f) => !f.endsWith('.txt') && !f.endsWith('.json'))
    .sort();
  const inDir = path.join(tmp, 'in');
  mkdirSync(inDir);
  let taken = 0;
  for (const f of all) {
    const probe = path.join(tmp, 'probe.dcm');
    copyFileSync(f, probe);
    if (gdcmanon(probe, path.join(tmp, 'probe-out.dcm'), cert).ok)
      copyFileSync(f, path.join(inDir, `${String(taken++).padStart(3, '0')}.dcm`));
  }
  // In directory mode it also skips a few files it reads alone ("Could not read", continue mode): keep what it writes.
  const probeOut = path.join(tmp, 'probe-dir');
  mkdirSync(probeOut);
  gdcmanon(inDir, probeOut, cert);
  const written = new Set(readdirSync(probeOut));
  for (const f of readdirSync(inDir)) if (!written.has(f)) rmSync(path.join(inDir, f));
  const files = readdirSync(inDir).map((f) => path.join(inDir, f));
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);

  const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
  const factory = createPatientContextFactory(key);
  const options: DicomProfileOption[] = ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
  const text = createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() });
  // Headline: 8 files in flight, outputs created and written through the thread pool (overlapping the CPU work).
  const overlapped = createDicomFileDeidentifier({ key, factory, options, text, burnedIn: 'accept', write: { blocking: false } });
  // Beside it: blocking reads and writes, one file at a time (the least CPU; the library default).
  const blocking = createDicomFileDeidentifier({ key, factory, options, text, burnedIn: 'accept' });
  const run = async (outDir: string, inFlight: number, deid = overlapped): Promise<void> => {
    const results = await deidentifyDicomFiles(
      deid,
      files.map((f) => ({ input: f, output: path.join(outDir, path.basename(f)) })),
      { concurrency: inFlight },
    );
    if (results.some((r) => !r.ok)) throw new Error('unexpected quarantine or read error');
  };

  // Corpus: files/s, read + de-identify + write (file to file), median of rounds.
  const oursOut = path.join(tmp, 'ours');
  mkdirSync(oursOut);
  await run(path.join(oursOut, 'warmup'), concurrency);
  await run(path.join(oursOut, 'warmup-blocking'), 1, blocking);
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
      if (variant === 'overlapped') await run(path.join(oursOut, String(r)), concurrency);
      else await run(path.join(oursOut, `blocking-${String(r)}`), 1, blocking);
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
    const peer = gdcmanon(inDir, peerOut, cert);
    if (!peer.ok || readdirSync(peerOut).length !== files.length) throw new Error('gdcmanon did not process every file');
    peerTimes.push(peer.seconds);
    peerCpu.push(peer.cpu);
  }
  const filesPerS = files.length / median(oursTimes);
  const peerFilesPerS = files.length / median(peerTimes);

  // The same files ten times over in one folder (distinct names): gdcmanon's process start-up
  // (≈ 25-30 ms, over half its time on 38 files) is then spread over 380 files, as in a real
  // batch; ours is the same headline variant. Same rounds, alternating order.
  const replicas = quick ? 3 : 10;
  const repDir = path.join(tmp, 'in-replicated');
  mkdirSync(repDir);
  for (let k = 0; k < replicas; k++) for (const f of files) copyFileSync(f, path.join(repDir, `${String(k)}-${path.basename(f)}`));
  const repFiles = readdirSync(repDir).map((f) => path.join(repDir, f));
  const repOurs: number[] = [];
  const repPeer: number[] = [];
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const timeRepOurs = async (): Promise<void> => {
      const deid = createDicomFileDeidentifier({ key, factory, options, text, burnedIn: 'accept', write: { blocking: false } });
      const outDir = path.join(tmp, `rep-ours-${String(r)}`);
      settle();
      const t0 = process.hrtime.bigint();
      const results = await deidentifyDicomFiles(
        deid,
        repFiles.map((f) => ({ input: f, output: path.join(outDir, path.basename(f)) })),
        { concurrency },
      );
      repOurs.push(Number(process.hrtime.bigint() - t0) / 1e9);
      if (results.some((x) => !x.ok)) throw new Error('unexpected quarantine or read error');
      rmSync(outDir, { recursive: true });
    };
    const timeRepPeer = (): void => {
      const outDir = path.join(tmp, `rep-peer-${String(r)}`);
      mkdirSync(outDir);
      settle();
      const peer = gdcmanon(repDir, outDir, cert);
      if (!peer.ok || readdirSync(outDir).length !== repFiles.length) throw new Error('gdcmanon did not process every replicated file');
      repPeer.push(peer.seconds);
      rmSync(outDir, { recursive: true });
    };
    if (r % 2 === 0) {
      await timeRepOurs();
      timeRepPeer();
    } else {
      timeRepPeer();
      await timeRepOurs();
    }
  }
  const repFilesPerS = repFiles.length / median(repOurs);
  const repPeerFilesPerS = repFiles.length / median(repPeer);

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
  const peerLarge = gdcmanon(large, path.join(tmp, 'large-peer.dcm'), cert);
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
      replicated_files: repFiles.length,
      files_per_s_replicated: Math.round(repFilesPerS * 10) / 10,
      gdcmanon_files_per_s_replicated: Math.round(repPeerFilesPerS * 10) / 10,
      ratio_to_gdcmanon_replicated: Math.round((repFilesPerS / repPeerFilesPerS) * 100) / 100,
    },
    notes:
      `Corpus: the ${String(files.length)} of ${String(all.length)} corpus DICOM files gdcmanon can process (it stops at UN sequences and ill-formed files), ` +
      `file to file (open, read, de-identify, write, close; no fsync on either side), median of ${String(rounds)} rounds, a fresh output folder per round for both, ` +
      `\`sync\` before each timed run (so no run pays for the previous one's writeback), our two variants alternating order. ` +
      `Ours: deidentifyDicomFiles in this one Node process, ${String(concurrency)} files in flight, all CPU work on its one JS thread, small inputs read with blocking calls, ` +
      `outputs created and written through libuv's thread pool so they overlap that CPU work (the whole process pinned to the same one core as gdcmanon${pin.length > 0 ? '' : ' — taskset unavailable here, so NOT pinned'}; files_per_s_blocking: blocking reads and writes, one file ` +
      `at a time, same rounds); Basic Profile + Retain Modified Dates + ` +
      `Clean Descriptors/Structured Content/Graphics with the clinical text engine. gdcmanon -e (PS3.15 Basic Profile, AES-256 encrypted original attributes) ` +
      `in directory mode, one process per round over the same input folder${pin.length > 0 ? ', pinned to the same core with taskset' : ''}. ` +
      `CPU figures: user + sys of the whole process (all threads) for ours, of the child for gdcmanon. ` +
      `Replicated: the same files ${String(replicas)} times over in one folder, ours (headline variant, a fresh de-identifier per round, the same text engine) and gdcmanon (one process) alternating, median of ${quick ? '1' : '3'}: gdcmanon's process start-up spread over a batch. ` +
      `Large: synthetic ${String(largeFrames)}-frame 512x512x16-bit MR in a temp dir, streamed (header read, Pixel Data copied from the input file in 4 MiB blocks); ` +
      `copy = readFileSync + writeFileSync of the same file; median of 3.`,
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
