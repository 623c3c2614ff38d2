import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that readers see either nothing or all of it: a temp file in the same
 * folder, flushed to disk when `durable`, then renamed over the target (rename is atomic on
 * POSIX file systems).
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string, durable: boolean): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(temp, target);
}

/** Flushes a folder's entries (the renames in it) to disk; a no-op where folders cannot be opened. */
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
