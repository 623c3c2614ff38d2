import type { FileHandle } from 'node:fs/promises';
import { KeysError } from '../keys-error.ts';
import { headerBytesNeeded, parseHeader, TAG_BYTES, type EnvelopeHeader } from './envelope-header.ts';
import { decryptFrame, frameError } from './message-keys.ts';
import { openHeader, type UnsealOptions } from './open-header.ts';

/** Bytes that can be read at any offset: a file, an object store range reader, a buffer. */
export interface RandomAccessSource {
  size(): Promise<number>;
  /** Exactly `length` bytes from `position` (fewer only at the end). */
  read(position: number, length: number): Promise<Buffer>;
}

/** Which frames: `first` (0-based) and how many. */
export interface FrameRange {
  readonly first: number;
  readonly count: number;
}

/** Where the frames of an envelope lie, computed from its header and total size (§6). */
export interface FrameLayout {
  readonly header: EnvelopeHeader;
  readonly frameCount: number;
  /** Plaintext length of the whole message. */
  readonly plaintextLength: number;
}

export async function readFrameLayout(source: RandomAccessSource): Promise<FrameLayout> {
  const size = await source.size();
  let needed = 7;
  for (;;) {
    const prefix = await source.read(0, Math.min(needed, size));
    const more = headerBytesNeeded(prefix);
    if (more > size) throw new KeysError('truncated', 'envelope ends inside its header', { place: { field: 'header' } });
    if (more === needed && prefix.length === needed) break;
    needed = more;
  }
  const header = parseHeader(await source.read(0, needed));
  const full = header.frameSize + TAG_BYTES;
  const body = size - header.length;
  if (body < TAG_BYTES) throw frameError('truncated', 0);
  const frameCount = Math.max(1, Math.ceil(body / full));
  const lastLength = body - (frameCount - 1) * full;
  if (lastLength < TAG_BYTES) throw frameError('truncated', frameCount - 1);
  return { header, frameCount, plaintextLength: body - frameCount * TAG_BYTES };
}

/**
 * Random access (§6): authenticates the header, then reads and verifies only the frames in
 * `range`, yielding each frame's plaintext after its tag verified. Frames are bound to their
 * position by nonce and AAD; the last frame is checked as final when the range includes it
 * (a range of early frames cannot tell whether the file was truncated after them).
 */
export async function* unsealFrames(source: RandomAccessSource, range: FrameRange, options: UnsealOptions): AsyncGenerator<Buffer> {
  const layout = await readFrameLayout(source);
  const { header, frameCount } = layout;
  if (!Number.isSafeInteger(range.first) || !Number.isSafeInteger(range.count) || range.first < 0 || range.count < 0 || range.first + range.count > frameCount) {
    throw new KeysError('frame-range', 'frame range outside the envelope', { place: { index: range.first } });
  }
  const key = await openHeader(header, options);
  const full = header.frameSize + TAG_BYTES;
  const size = header.length + layout.plaintextLength + frameCount * TAG_BYTES;
  for (let sequence = range.first; sequence < range.first + range.count; sequence++) {
    const at = header.length + sequence * full;
    const length = Math.min(full, size - at);
    const frame = await source.read(at, length);
    if (frame.length !== length) throw frameError('truncated', sequence);
    const final = sequence === frameCount - 1;
    const plain = decryptFrame(key, header.messageId, sequence, final, [frame.subarray(0, length - TAG_BYTES)], frame.subarray(length - TAG_BYTES));
    if (plain === undefined) throw frameError('frame-auth-failed', sequence);
    yield* plain;
  }
}

/** A {@link RandomAccessSource} over a buffer. */
export function bufferSource(bytes: Uint8Array): RandomAccessSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: () => Promise.resolve(buffer.length),
    read: (position, length) => Promise.resolve(buffer.subarray(position, position + length)),
  };
}

/** A {@link RandomAccessSource} over an open file (the caller closes it). */
export function fileSource(handle: FileHandle): RandomAccessSource {
  return {
    size: async () => (await handle.stat()).size,
    read: async (position, length) => {
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer.subarray(0, done);
    },
  };
}
