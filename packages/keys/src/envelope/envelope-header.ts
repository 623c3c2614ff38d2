import { KeysError } from '../keys-error.ts';
import { KEY_ID, type WrappedDataKey } from '../key-provider.ts';
import { decodeContext, MAX_CONTEXT_BYTES, type EncryptionContext } from './encryption-context.ts';

// Envelope format v1, byte by byte: docs/formats/envelope.md §2.
export const MAGIC = Buffer.from('PHGE', 'ascii');
export const FORMAT_VERSION = 1;
/** Suite 0x0001: AES-256-GCM frames, HKDF-SHA-512 key derivation, 256-bit key commitment. */
export const SUITE_AES256GCM_HKDF_SHA512_COMMIT = 0x0001;
export const MESSAGE_ID_BYTES = 32;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
/** magic 4 + version 1 + suite 2 + frame size 4 + message id 32 + commitment 32 + context length 2. */
export const FIXED_BYTES = 77;
export const MIN_FRAME_SIZE = 16;
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
export const DEFAULT_FRAME_SIZE = 256 * 1024;
export const MAX_WRAPPED_KEYS = 8;
export const MAX_WRAPPED_BYTES = 1024;
const PROVIDER_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** A parsed header. `body` is the authenticated part; `keyBlock` (wrapped DEKs) is not, see §2.3. */
export interface EnvelopeHeader {
  readonly frameSize: number;
  readonly messageId: Buffer;
  readonly commitment: Buffer;
  readonly context: EncryptionContext;
  readonly wrappedKeys: readonly WrappedDataKey[];
  readonly body: Buffer;
  readonly tag: Buffer;
  /** Total header length in bytes: frames start here. */
  readonly length: number;
}

export function checkFrameSize(frameSize: number): void {
  if (!Number.isSafeInteger(frameSize) || frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE) {
    throw new TypeError(`frameSize must be an integer from ${MIN_FRAME_SIZE} to ${MAX_FRAME_SIZE}`);
  }
}

/** The authenticated header body (§2.1). */
export function encodeHeaderBody(frameSize: number, messageId: Buffer, commitment: Buffer, context: Buffer): Buffer {
  const body = Buffer.alloc(FIXED_BYTES + context.length);
  MAGIC.copy(body, 0);
  body.writeUInt8(FORMAT_VERSION, 4);
  body.writeUInt16BE(SUITE_AES256GCM_HKDF_SHA512_COMMIT, 5);
  body.writeUInt32BE(frameSize, 7);
  messageId.copy(body, 11);
  commitment.copy(body, 43);
  body.writeUInt16BE(context.length, 75);
  context.copy(body, FIXED_BYTES);
  return body;
}

/** The key block (§2.3): uint16 length, uint8 count, then the wrapped DEKs. */
export function encodeKeyBlock(wrappedKeys: readonly WrappedDataKey[]): Buffer {
  if (wrappedKeys.length < 1 || wrappedKeys.length > MAX_WRAPPED_KEYS) throw new TypeError(`an envelope carries 1 to ${MAX_WRAPPED_KEYS} wrapped keys`);
  const parts: Buffer[] = [Buffer.alloc(3)];
  for (const w of wrappedKeys) {
    if (!PROVIDER_ID.test(w.provider)) throw new TypeError('wrapped key provider must be a lower-case code');
    if (!KEY_ID.test(w.keyId)) throw new TypeError('wrapped key id must be a lower-case code');
    if (!Number.isSafeInteger(w.version) || w.version < 1 || w.version > 0xffffffff) throw new TypeError('wrapped key version out of range');
    if (w.wrapped.length < 1 || w.wrapped.length > MAX_WRAPPED_BYTES) throw new TypeError('wrapped key length out of range');
    const fixed = Buffer.alloc(2 + w.provider.length + w.keyId.length + 6);
    let at = fixed.writeUInt8(w.provider.length, 0);
    at += fixed.write(w.provider, at, 'ascii');
    at = fixed.writeUInt8(w.keyId.length, at);
    at += fixed.write(w.keyId, at, 'ascii');
    at = fixed.writeUInt32BE(w.version, at);
    fixed.writeUInt16BE(w.wrapped.length, at);
    parts.push(fixed, Buffer.from(w.wrapped));
  }
  const block = Buffer.concat(parts);
  block.writeUInt16BE(block.length - 2, 0);
  block.writeUInt8(wrappedKeys.length, 2);
  return block;
}

/**
 * How many header bytes are needed so far, given the first `available` bytes: the parser asks
 * for more until this returns the same number it was given. Checks magic, version and suite as
 * soon as their bytes are present, so a wrong file fails with `bad-magic` and not `truncated`.
 */
export function headerBytesNeeded(prefix: Buffer): number {
  if (prefix.length >= 4 && !prefix.subarray(0, 4).equals(MAGIC)) {
    throw new KeysError('bad-magic', 'not a PHIGuard envelope', { place: { field: 'magic' } });
  }
  if (prefix.length >= 5 && prefix.readUInt8(4) !== FORMAT_VERSION) {
    throw new KeysError('unsupported-version', 'unsupported envelope version', {
      place: { field: 'version' },
      hint: 'upgrade PHIGuard to read this file',
    });
  }
  if (prefix.length >= 7 && prefix.readUInt16BE(5) !== SUITE_AES256GCM_HKDF_SHA512_COMMIT) {
    throw new KeysError('unsupported-suite', 'unsupported envelope algorithm suite', { place: { field: 'suite' } });
  }
  if (prefix.length < FIXED_BYTES) return FIXED_BYTES;
  const contextLength = prefix.readUInt16BE(75);
  if (contextLength > MAX_CONTEXT_BYTES) throw new KeysError('bad-header', 'encryption context too long', { place: { field: 'context' } });
  const keyBlockAt = FIXED_BYTES + contextLength + TAG_BYTES;
  if (prefix.length < keyBlockAt + 2) return keyBlockAt + 2;
  const keyBlockLength = prefix.readUInt16BE(keyBlockAt);
  return keyBlockAt + 2 + keyBlockLength;
}

/** Parses a complete header (exactly {@link headerBytesNeeded} bytes). Does not verify the tag. */
export function parseHeader(bytes: Buffer): EnvelopeHeader {
  const length = headerBytesNeeded(bytes);
  if (length !== bytes.length) throw new KeysError('truncated', 'envelope header is incomplete', { place: { field: 'header' } });
  const bad = (field: string): never => {
    throw new KeysError('bad-header', 'malformed envelope header', { place: { field } });
  };
  const frameSize = bytes.readUInt32BE(7);
  if (frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE) bad('frame-size');
  const contextLength = bytes.readUInt16BE(75);
  const bodyEnd = FIXED_BYTES + contextLength;
  const context = decodeContext(bytes.subarray(FIXED_BYTES, bodyEnd));
  const tag = Buffer.from(bytes.subarray(bodyEnd, bodyEnd + TAG_BYTES));
  const block = bytes.subarray(bodyEnd + TAG_BYTES + 2);
  if (block.length < 1) return bad('keys');
  const count = block.readUInt8(0);
  if (count < 1 || count > MAX_WRAPPED_KEYS) bad('keys');
  const wrappedKeys: WrappedDataKey[] = [];
  let at = 1;
  const need = (n: number): void => {
    if (at + n > block.length) bad('keys');
  };
  for (let i = 0; i < count; i++) {
    need(1);
    const providerLength = block.readUInt8(at);
    need(1 + providerLength + 1);
    // latin1, not ascii: Node's ascii decoder drops the high bit, which would hide a flipped bit.
    const provider = block.toString('latin1', at + 1, at + 1 + providerLength);
    at += 1 + providerLength;
    const keyIdLength = block.readUInt8(at);
    need(1 + keyIdLength + 6);
    const keyId = block.toString('latin1', at + 1, at + 1 + keyIdLength);
    at += 1 + keyIdLength;
    const version = block.readUInt32BE(at);
    const wrappedLength = block.readUInt16BE(at + 4);
    at += 6;
    need(wrappedLength);
    const wrapped = Buffer.from(block.subarray(at, at + wrappedLength));
    at += wrappedLength;
    if (!PROVIDER_ID.test(provider) || !KEY_ID.test(keyId) || version < 1 || wrappedLength < 1 || wrappedLength > MAX_WRAPPED_BYTES) bad('keys');
    wrappedKeys.push(Object.freeze({ provider, keyId, version, wrapped }));
  }
  if (at !== block.length) bad('keys');
  return Object.freeze({
    frameSize,
    messageId: Buffer.from(bytes.subarray(11, 43)),
    commitment: Buffer.from(bytes.subarray(43, 75)),
    context,
    wrappedKeys: Object.freeze(wrappedKeys),
    body: Buffer.from(bytes.subarray(0, bodyEnd)),
    tag,
    length,
  });
}
