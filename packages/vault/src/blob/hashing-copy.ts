import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Writes `source` to `handle` while hashing it (SHA-256); returns the `sha256:` address and size. */
export async function writeHashing(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, handle: FileHandle): Promise<{ hash: string; size: number }> {
  const hasher = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hasher.update(chunk);
    size += chunk.byteLength;
    let written = 0;
    while (written < chunk.byteLength) {
      const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written);
      written += bytesWritten;
    }
  }
  return { hash: `sha256:${hasher.digest('hex')}`, size };
}

/** Yields `source` unchanged and throws `onMismatch()` at its end when the bytes do not hash to `hash`. */
export async function* verifyingStream(source: AsyncIterable<Uint8Array>, hash: string, onMismatch: () => Error): AsyncGenerator<Buffer> {
  const hasher = createHash('sha256');
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    hasher.update(buffer);
    yield buffer;
  }
  if (`sha256:${hasher.digest('hex')}` !== hash) throw onMismatch();
}
