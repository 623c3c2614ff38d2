import { createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { gcmOpen, gcmSeal } from './aes-gcm.ts';
import { KeysError } from '../keys-error.ts';
import { COMMITMENT_BYTES } from './envelope-header.ts';

// docs/formats/envelope.md §4. Labels in the spirit of AWS Encryption SDK message format v2
// (HKDF with the message id as salt, separate labels for the data key and the commitment).
const KEY_LABEL = Buffer.from('PHIGuard envelope v1 DERIVEKEY\x00\x01', 'binary');
const COMMIT_LABEL = Buffer.from('PHIGuard envelope v1 COMMITKEY\x00\x01', 'binary');

/** The per-message AES-256 key and the 32-byte key commitment, from DEK + message id (RFC 5869 HKDF-SHA-512). */
export function deriveMessageKeys(dataKey: Buffer, messageId: Buffer): { key: Buffer; commitment: Buffer } {
  const key = Buffer.from(hkdfSync('sha512', dataKey, messageId, KEY_LABEL, 32));
  const commitment = Buffer.from(hkdfSync('sha512', dataKey, messageId, COMMIT_LABEL, COMMITMENT_BYTES));
  return { key, commitment };
}

/** The per-message key as a KeyObject for the frame loop; the Buffer is zeroed. */
export function messageKeyObject(key: Buffer): KeyObject {
  const object = createSecretKey(key);
  key.fill(0);
  return object;
}

/** Constant-time comparison of a derived commitment with the header's. */
export function commitmentMatches(derived: Buffer, stored: Buffer): boolean {
  return derived.length === stored.length && timingSafeEqual(derived, stored);
}

// Nonce (§5): 3 zero bytes, a kind byte, the 64-bit big-endian sequence number. Kinds: 0 frame,
// 1 final frame, 0x48 header tag. Unique per (kind, sequence) under a per-message key.
const KIND_FRAME = 0;
const KIND_FINAL = 1;
const KIND_HEADER = 0x48;

export function nonceFor(kind: number, sequence: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt8(kind, 3);
  nonce.writeUInt32BE(Math.floor(sequence / 2 ** 32), 4);
  nonce.writeUInt32BE(sequence >>> 0, 8);
  return nonce;
}

export function frameNonce(sequence: number, final: boolean): Buffer {
  return nonceFor(final ? KIND_FINAL : KIND_FRAME, sequence);
}

/** Frame AAD (§5): message id ‖ uint64 sequence ‖ final flag. */
export function frameAad(messageId: Buffer, sequence: number, final: boolean): Buffer {
  const aad = Buffer.alloc(messageId.length + 9);
  messageId.copy(aad, 0);
  aad.writeUInt32BE(Math.floor(sequence / 2 ** 32), messageId.length);
  aad.writeUInt32BE(sequence >>> 0, messageId.length + 4);
  aad.writeUInt8(final ? 1 : 0, messageId.length + 8);
  return aad;
}

/** The header authentication tag (§2.2): AES-256-GCM over an empty plaintext with the header body as AAD. */
export function headerTag(key: Buffer | KeyObject, body: Buffer): Buffer {
  const [tag] = gcmSeal(key, nonceFor(KIND_HEADER, 0), body, []);
  if (tag === undefined) throw new Error('unreachable: gcmSeal returns a tag');
  return tag;
}

export function headerTagValid(key: Buffer | KeyObject, body: Buffer, tag: Buffer): boolean {
  return gcmOpen(key, nonceFor(KIND_HEADER, 0), body, [], tag) !== undefined;
}

/** Encrypts one frame given as pieces; returns ciphertext pieces followed by the tag (no concatenation). */
export function encryptFrame(key: Buffer | KeyObject, messageId: Buffer, sequence: number, final: boolean, pieces: readonly Buffer[]): Buffer[] {
  return gcmSeal(key, frameNonce(sequence, final), frameAad(messageId, sequence, final), pieces);
}

/** Decrypts one frame; returns the plaintext pieces only if the tag verifies, else `undefined`. */
export function decryptFrame(
  key: Buffer | KeyObject,
  messageId: Buffer,
  sequence: number,
  final: boolean,
  pieces: readonly Buffer[],
  tag: Buffer,
): Buffer[] | undefined {
  return gcmOpen(key, frameNonce(sequence, final), frameAad(messageId, sequence, final), pieces, tag);
}

export function frameError(code: 'frame-auth-failed' | 'truncated' | 'trailing-data', sequence: number): KeysError {
  const message =
    code === 'truncated' ? 'envelope ends early' : code === 'trailing-data' ? 'data follows the final frame' : 'frame failed authentication';
  return new KeysError(code, message, { place: { index: sequence } });
}
