import { randomBytes } from 'node:crypto';
import type { KeyProvider } from '../key-provider.ts';
import { asBuffer, ByteQueue } from './byte-queue.ts';
import { encodeContext, type EncryptionContext } from './encryption-context.ts';
import {
  checkFrameSize,
  DEFAULT_FRAME_SIZE,
  encodeHeaderBody,
  encodeKeyBlock,
  MESSAGE_ID_BYTES,
} from './envelope-header.ts';
import { deriveMessageKeys, encryptFrame, headerTag, messageKeyObject } from './message-keys.ts';

/** Which KEKs wrap the message's DEK: the first generates it, the others wrap the same DEK. */
export interface SealOptions {
  readonly wrapWith: readonly { readonly provider: KeyProvider; readonly keyId: string }[];
  /** Non-secret references bound as AAD (never PHI). */
  readonly context?: EncryptionContext;
  /** Plaintext bytes per frame; default 256 KiB. */
  readonly frameSize?: number;
}

/**
 * Seals a byte stream into envelope format v1 (docs/formats/envelope.md). Memory stays at one
 * frame plus one input chunk whatever the size; being an async generator, it reads its source
 * only as fast as its consumer pulls (use it as a `stream.pipeline` stage). Output chunks are
 * views: the header, then per frame the ciphertext pieces and the tag, never concatenated.
 */
export async function* sealStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: SealOptions): AsyncGenerator<Buffer> {
  const frameSize = options.frameSize ?? DEFAULT_FRAME_SIZE;
  checkFrameSize(frameSize);
  const context = encodeContext(options.context ?? {});
  const [first, ...others] = options.wrapWith;
  if (first === undefined) throw new TypeError('sealStream needs at least one key to wrap with');
  const dataKey = await first.provider.generateDataKey(first.keyId);
  const messageId = randomBytes(MESSAGE_ID_BYTES);
  const derived = deriveMessageKeys(dataKey.plaintext, messageId);
  const commitment = derived.commitment;
  const key = messageKeyObject(derived.key);
  try {
    const wrapped = [dataKey.wrapped];
    for (const other of others) wrapped.push(await other.provider.wrapDataKey(other.keyId, dataKey.plaintext));
    dataKey.plaintext.fill(0);
    const body = encodeHeaderBody(frameSize, messageId, commitment, context);
    yield body;
    yield headerTag(key, body);
    yield encodeKeyBlock(wrapped);

    const queue = new ByteQueue();
    let sequence = 0;
    for await (const chunk of source) {
      queue.push(asBuffer(chunk));
      // A frame is known not to be the last only once a byte beyond it has arrived.
      while (queue.length > frameSize) {
        yield* encryptFrame(key, messageId, sequence, false, queue.take(frameSize));
        sequence += 1;
      }
    }
    yield* encryptFrame(key, messageId, sequence, true, queue.take(queue.length));
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/** Seals a whole buffer (small payloads; use {@link sealStream} for files). */
export async function sealBuffer(plaintext: Uint8Array, options: SealOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of sealStream([plaintext], options)) parts.push(part);
  return Buffer.concat(parts);
}
