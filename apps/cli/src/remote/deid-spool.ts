import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** What spooling a request body gave: its size and hash, or only its size when it was over the limit. */
export type Spooled = { readonly ok: true; readonly bytes: number; readonly sha256: string } | { readonly ok: false; readonly bytes: number };

/**
 * Writes a request body to `file` (mode 0600) as it arrives, hashing it: memory stays at one chunk
 * whatever the size (the next chunk is read only once the previous one is written). Past
 * `maxBytes` nothing more is written but the body is still read to its end, so the client can
 * finish sending and read the answer. The engines read the file (several passes for some).
 */
export async function spoolBody(body: AsyncIterable<Uint8Array>, file: string, maxBytes = Number.POSITIVE_INFINITY): Promise<Spooled> {
  const handle = await open(file, 'w', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) continue;
      hash.update(chunk);
      for (let off = 0; off < chunk.byteLength; ) off += (await handle.write(chunk, off)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
  return bytes > maxBytes ? { ok: false, bytes } : { ok: true, bytes, sha256: hash.digest('hex') };
}
