// The arms of the DICOM bench that run on one file system (ext4 or tmpfs), all in the same rounds:
// each tool as users run it (a process over a folder, start-up included) on N and 10·N files, the
// per-file steady state (start-up subtracted: the 10·N run minus the N run), our library in this
// process (no start-up at all), and a plain per-file copy as the limit.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { median, timedRun, type TimedRun } from './pinned-run.ts';
import { copyFiles } from './copy-files.ts';
import { replicate } from './file-set.ts';

export interface FsArmsConfig {
  /** A fresh folder on the file system measured; inputs, outputs and PHIGUARD_HOME go below it. */
  readonly root: string;
  readonly files: readonly string[];
  readonly replicas: number;
  readonly rounds: number;
  readonly pin: readonly string[];
  /** `gdcmanon -e -c CERT --continue` (input and output added). */
  readonly gdcmanon: readonly string[];
  /** `node .../phiguard.js deid dicom` with the profile options (input and --out added). */
  readonly cli: readonly string[];
  /** Variants of our library in this process over `files` into the existing folder `outDir` (start-up excluded); arms `library-NAME`. */
  readonly libraries: Readonly<Record<string, (files: readonly string[], outDir: string) => Promise<void>>>;
}

export interface FsArms {
  readonly n: number;
  readonly nReplicated: number;
  /** Median wall and CPU seconds per arm. */
  readonly seconds: Record<string, number>;
  readonly cpu: Record<string, number>;
}

const sync = (): void => {
  timedRun([], ['sync']);
};

export async function measureFsArms(c: FsArmsConfig): Promise<FsArms> {
  const small = path.join(c.root, 'in');
  mkdirSync(small);
  for (const f of c.files) copyFileSync(f, path.join(small, path.basename(f)));
  const smallFiles = readdirSync(small).map((f) => path.join(small, f));
  const big = path.join(c.root, 'in-replicated');
  const bigFiles = replicate(smallFiles, big, c.replicas);
  const env = { ...process.env, PHIGUARD_HOME: path.join(c.root, 'home') };
  const out = (name: string): string => path.join(c.root, name);
  const samples = new Map<string, { s: number[]; cpu: number[] }>();
  const add = (arm: string, r: TimedRun): void => {
    const entry = samples.get(arm) ?? { s: [], cpu: [] };
    entry.s.push(r.seconds);
    entry.cpu.push(r.cpu);
    samples.set(arm, entry);
  };
  const check = (arm: string, r: TimedRun, dir: string, expected: number): void => {
    // Ours also writes its journal and signed manifest into the output folder.
    const written = readdirSync(dir).filter((f) => f.endsWith('.dcm')).length;
    if (!r.ok || written !== expected) throw new Error(`${arm}: the run failed or wrote ${String(written)} of ${String(expected)} files`);
  };
  const arms: Record<string, (dir: string) => void | Promise<void>> = {
    cli: (dir) => {
      const r = timedRun(c.pin, [...c.cli, small, '--out', dir], { env, cwd: c.root });
      check('cli', r, dir, smallFiles.length);
      add('cli', r);
    },
    cliReplicated: (dir) => {
      const r = timedRun(c.pin, [...c.cli, big, '--out', dir], { env, cwd: c.root });
      check('cliReplicated', r, dir, bigFiles.length);
      add('cliReplicated', r);
    },
    gdcmanon: (dir) => {
      mkdirSync(dir);
      const r = timedRun(c.pin, [...c.gdcmanon, '-i', small, '-o', dir]);
      check('gdcmanon', r, dir, smallFiles.length);
      add('gdcmanon', r);
    },
    gdcmanonReplicated: (dir) => {
      mkdirSync(dir);
      const r = timedRun(c.pin, [...c.gdcmanon, '-i', big, '-o', dir]);
      check('gdcmanonReplicated', r, dir, bigFiles.length);
      add('gdcmanonReplicated', r);
    },
    // `cp -r` as a process (start-up included), and the same copy with blocking calls in this process.
    cp: (dir) => {
      const r = timedRun(c.pin, ['cp', '-r', big, dir]);
      check('cp', r, dir, bigFiles.length);
      add('cp', r);
    },
    copy: (dir) => {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      copyFiles(bigFiles, dir);
      const u = process.cpuUsage(c0);
      add('copy', { ok: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (u.user + u.system) / 1e6 });
    },
  };
  for (const [variant, run] of Object.entries(c.libraries)) {
    const arm = `library-${variant}`;
    arms[arm] = async (dir) => {
      mkdirSync(dir);
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await run(bigFiles, dir);
      const u = process.cpuUsage(c0);
      const r = { ok: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (u.user + u.system) / 1e6 };
      check(arm, r, dir, bigFiles.length);
      add(arm, r);
    };
  }
  // Warm-up (not timed): our first run creates PGlite, the key and the signing key in PHIGUARD_HOME.
  // Outputs are kept until every arm has run: on ext4, creating a file within minutes of many
  // deletions in the same block group is several times slower (the inode allocator skips inodes
  // deleted in the last 60–300 s, `recently_deleted()` in fs/ext4/ialloc.c, reading each one's
  // inode table block), which would load every arm that follows a deletion with up to ~0.6 ms per
  // file of the previous arm's clean-up.
  for (const [name, arm] of Object.entries(arms)) await arm(out(`warmup-${name}`));
  samples.clear();
  const names = Object.keys(arms);
  for (let r = 0; r < c.rounds; r++) {
    // A different order each round, so no arm always follows the same one.
    const order = names.map((_, i) => names[(i + r * 3) % names.length] ?? '');
    for (const name of order) {
      const dir = out(`${name}-${String(r)}`);
      sync(); // none pays for the previous run's writeback
      await arms[name]?.(dir);
    }
  }
  for (const name of readdirSync(c.root)) if (name !== 'in' && name !== 'in-replicated' && name !== 'home') rmSync(out(name), { recursive: true });
  const seconds: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const [arm, v] of samples) {
    seconds[arm] = median(v.s);
    cpu[arm] = median(v.cpu);
  }
  return { n: smallFiles.length, nReplicated: bigFiles.length, seconds, cpu };
}
