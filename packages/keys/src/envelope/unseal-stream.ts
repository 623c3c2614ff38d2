import { asBuffer, ByteQueue } from './byte-queue.ts';
import { headerBytesNeeded, parseHeader, TAG_BYTES, type EnvelopeHeader } from './envelope-header.ts';
import { decryptFrame, frameError } from './message-keys.ts';
import { openHeader, type UnsealOptions } from './open-header.ts';
import { KeysError } from '../keys-error.ts';

export interface UnsealStreamOptions extends UnsealOptions {
  /** Called once the header is authenticated, before any plaintext (e.g. to show its context). */
  readonly onHeader?: (header: EnvelopeHeader) => void;
}

/**
 * Unseals an envelope stream. A frame's plaintext is yielded only after its tag verified; on any
 * failure the generator throws a typed {@link KeysError} and yields nothing more. Frames before a
 * damaged one have been yielded by then: a consumer that needs all-or-nothing writes to a
 * temporary place and commits on completion (or uses {@link unsealBuffer}).
 */
export async function* unsealStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: UnsealStreamOptions): AsyncGenerator<Buffer> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const queue = new ByteQueue();
  const input = { ended: false };
  const fill = async (n: number): Promise<boolean> => {
    while (queue.length < n && !input.ended) {
      const next = await iterator.next();
      if (next.done === true) input.ended = true;
      else queue.push(asBuffer(next.value));
    }
    return queue.length >= n;
  };

  let needed = 7;
  for (;;) {
    await fill(needed);
    const prefix = queue.peek(Math.min(queue.length, needed));
    const more = headerBytesNeeded(prefix);
    if (queue.length < more && input.ended) throw new KeysError('truncated', 'envelope ends inside its header', { place: { field: 'header' } });
    if (more === needed && queue.length >= needed) break;
    needed = more;
  }
  const header = parseHeader(queue.takeCopy(needed));
  const key = await openHeader(header, options);
  options.onHeader?.(header);
  const full = header.frameSize + TAG_BYTES;
  for (let sequence = 0; ; sequence++) {
    const final = !(await fill(full + 1));
    if (final && queue.length < TAG_BYTES) throw frameError('truncated', sequence);
    const length = final ? queue.length : full;
    const pieces = queue.take(length - TAG_BYTES);
    const tag = queue.takeCopy(TAG_BYTES);
    const plain = decryptFrame(key, header.messageId, sequence, final, pieces, tag);
    if (plain === undefined) {
      // Diagnose, spending work only on failure: a frame sealed as non-final at the end means
      // truncation at a frame boundary; a final frame followed by more bytes means extension.
      const other = decryptFrame(key, header.messageId, sequence, !final, pieces, tag);
      for (const piece of other ?? []) piece.fill(0);
      throw frameError(other === undefined ? 'frame-auth-failed' : final ? 'truncated' : 'trailing-data', sequence);
    }
    yield* plain;
    if (final) return;
  }
}

/** Unseals a whole buffer: returns all plaintext or throws, never a part. */
export async function unsealBuffer(envelope: Uint8Array, options: UnsealStreamOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of unsealStream([envelope], options)) parts.push(part);
  return Buffer.concat(parts);
}
