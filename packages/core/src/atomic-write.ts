import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** fsync the file before the rename and its folder after it (default true). */
  readonly durable?: boolean;
  /** Mode of the new file (default 0o600: PHIGuard files are private unless a caller says otherwise). */
  readonly mode?: number;
  /** Create the target's folder first (default false). */
  readonly mkdir?: boolean;
  /** fsync the folder after the rename (default: same as `durable`). */
  readonly syncFolder?: boolean;
}

/**
 * Replaces `target` with `data` atomically: write a temporary sibling, fsync it, rename it over the
 * target (atomic on POSIX file systems), fsync the folder. After a crash (`kill -9`, power loss)
 * the file holds either the old or the new content, never a mix. The temp file is removed when
 * writing it fails.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const durable = options.durable ?? true;
  if (options.mkdir === true) await mkdir(path.dirname(target), { recursive: true });
  const temp = tempSiblingPath(target);
  const handle = await open(temp, 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (options.syncFolder ?? durable) await syncFolder(path.dirname(target));
}

/** A fresh hidden temp name in the same folder as `target` (same file system, so rename is atomic). */
export function tempSiblingPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${String(process.pid)}-${randomBytes(6).toString('hex')}.tmp`);
}

/** Flushes a folder's entries (the renames in it) to disk; a no-op where folders cannot be opened or synced. */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on folders; the file contents are already durable.
  } finally {
    await handle?.close();
  }
}
