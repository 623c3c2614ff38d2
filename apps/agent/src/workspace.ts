import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { AgentError } from './agent-error.ts';

/** File systems whose pages live in memory (swap aside: run nodes without swap or with encrypted swap). */
const MEMORY_FS = new Set(['tmpfs', 'ramfs']);

/** The file system type `dir` lives on, from /proc/self/mounts (longest mount point that contains it). */
export async function fileSystemOf(dir: string): Promise<string | undefined> {
  const real = await realpath(dir);
  let mounts: string;
  try {
    mounts = await readFile('/proc/self/mounts', 'utf8');
  } catch {
    return undefined;
  }
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, rawPoint, type] = line.split(' ');
    if (rawPoint === undefined || type === undefined) continue;
    // /proc/mounts escapes space, tab, newline and backslash as octal (\040 ...).
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = real === point || real.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && (best === undefined || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

/**
 * A job's working folder, memory-only: `in/` (unsealed inputs), `out/` (outputs), `tmp/`. It is
 * created under a tmpfs root (default /dev/shm) and refused on a disk-backed file system unless
 * the development flag allows it (then PHI may reach a disk: never in production). `wipe()`
 * overwrites every file with zeros, removes the tree, and is safe to call more than once.
 */
export class Workspace {
  readonly dir: string;
  readonly input: string;
  readonly output: string;
  readonly memoryBacked: boolean;

  private constructor(dir: string, memoryBacked: boolean) {
    this.dir = dir;
    this.input = path.join(dir, 'in');
    this.output = path.join(dir, 'out');
    this.memoryBacked = memoryBacked;
  }

  static async create(root: string, jobId: string, options: { readonly allowDisk: boolean }): Promise<Workspace> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const fs = await fileSystemOf(root);
    const memoryBacked = fs !== undefined && MEMORY_FS.has(fs);
    if (!memoryBacked && !options.allowDisk)
      throw new AgentError('workspace-not-memory', 'the workspace root is not a memory file system (tmpfs)', { place: { path: root }, hint: 'use /dev/shm or mount a tmpfs; only the development flag allows a disk-backed workspace' });
    const dir = path.join(root, `${jobId}-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { mode: 0o700 });
    const ws = new Workspace(dir, memoryBacked);
    for (const sub of [ws.input, ws.output, path.join(dir, 'tmp')]) await mkdir(sub, { mode: 0o700 });
    return ws;
  }

  /** An existing workspace folder (left by a killed agent), to wipe it. */
  static attach(dir: string): Workspace {
    return new Workspace(dir, false);
  }

  /** Overwrites then removes everything; returns how many files were wiped. */
  async wipe(): Promise<number> {
    const files = await listFiles(this.dir);
    for (const file of files) await zeroFile(file);
    await rm(this.dir, { recursive: true, force: true });
    return files.length;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function zeroFile(file: string): Promise<void> {
  try {
    const stat = await lstat(file);
    if (!stat.isFile()) return;
    const handle = await open(file, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      const zeros = Buffer.alloc(Math.min(stat.size, 1024 * 1024));
      for (let at = 0; at < stat.size; at += zeros.length) await handle.write(zeros, 0, Math.min(zeros.length, stat.size - at), at);
    } finally {
      await handle.close();
    }
  } catch {
    // A file the job made read-only or removed: rm below still removes what is left.
  }
}
