import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { SpoolProgress } from './deid-spool-progress.ts';

/**
 * What spooling a request body gave: its size and hash; or why not: over the limit (the body was
 * still read to its end), cut off (the body failed), or not the size the client declared.
 */
export type Spooled =
  | { readonly ok: true; readonly bytes: number; readonly sha256: string }
  | { readonly ok: false; readonly bytes: number; readonly why: 'too-large' | 'aborted' | 'size-mismatch' };

export interface SpoolOptions {
  /** Past this many bytes nothing more is written (whole-file engines). */
  readonly maxBytes?: number;
  /** Told after each piece is in the file, and at the end, for a worker reading the spool as it grows. */
  readonly progress?: SpoolProgress;
  /** The size the client declared: more bytes, or fewer at the end, abort the spool. */
  readonly expectedBytes?: number;
}

/**
 * Writes a request body to `file` (mode 0600) as it arrives, hashing it: memory stays at one chunk
 * whatever the size (the next chunk is read only once the previous one is written). Past
 * `maxBytes` nothing more is written but the body is still read to its end, so the client can
 * finish sending and read the answer. The engines read the file (several passes for some), while
 * it grows when `progress` is given. A body that fails (client gone) resolves as `aborted`, and
 * `progress` always hears the end, so a reading worker never waits for bytes that will not come.
 */
export async function spoolBody(body: AsyncIterable<Uint8Array>, file: string, options: SpoolOptions = {}): Promise<Spooled> {
  const { maxBytes = Number.POSITIVE_INFINITY, progress, expectedBytes } = options;
  const hash = createHash('sha256');
  let bytes = 0;
  let why: 'too-large' | 'aborted' | 'size-mismatch' | undefined;
  try {
    const handle = await open(file, 'w', 0o600);
    try {
      for await (const chunk of body) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) continue;
        if (expectedBytes !== undefined && bytes > expectedBytes) {
          why = 'size-mismatch';
          break;
        }
        hash.update(chunk);
        for (let off = 0; off < chunk.byteLength; ) off += (await handle.write(chunk, off)).bytesWritten;
        progress?.wrote(bytes);
      }
    } finally {
      await handle.close();
    }
  } catch {
    // A body that fails is a client that went away or a connection cut: its kind is enough.
    why = 'aborted';
  }
  if (why === undefined && bytes > maxBytes) why = 'too-large';
  if (why === undefined && expectedBytes !== undefined && bytes !== expectedBytes) why = 'size-mismatch';
  progress?.ended(why === undefined ? 'complete' : 'aborted');
  return why === undefined ? { ok: true, bytes, sha256: hash.digest('hex') } : { ok: false, bytes, why };
}
