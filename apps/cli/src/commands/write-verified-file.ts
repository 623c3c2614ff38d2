import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from '@phiguard/core';

export interface VerifiedFileWrite {
  /** Final path; it only ever appears complete and verified. */
  readonly target: string;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Called with the running byte count after each chunk (progress bars). */
  readonly onBytes?: (bytes: number) => void;
  /** Sees every chunk and, once all are written, may throw to reject the file (digest check). */
  readonly verifier?: { update(chunk: Uint8Array): void; check(): void };
}

/**
 * Writes a file as `<target>.<pid>.partial`, fsyncs it, renames it into place and fsyncs the
 * folder, so a crash or a failed verification never leaves a partial or unverified file under
 * the final name (the `.partial` is removed on error). Returns the bytes written.
 */
export async function writeVerifiedFile(write: VerifiedFileWrite): Promise<number> {
  const { target, chunks, onBytes, verifier } = write;
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temp = `${target}.${String(process.pid)}.partial`;
  const handle = await open(temp, 'wx', 0o600);
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      await handle.write(chunk);
      verifier?.update(chunk);
      bytes += chunk.length;
      onBytes?.(bytes);
    }
    verifier?.check();
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, target);
  await syncFolder(path.dirname(target));
  return bytes;
}
