import { createHash, hash } from 'node:crypto';

/** Bytes in a SHA-256 hash, the only hash of this log (RFC 9162 §2.1, C2SP tlog-tiles). */
export const HASH_SIZE = 32;

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * SHA-256 of `input` as a new 32-byte Buffer. node:crypto's one-shot `hash` asked for a
 * 'binary' (latin1: one char per byte, the same 32 bytes) string that is copied into a pooled
 * Buffer costs under half of asking it for a Buffer, which gets an ArrayBuffer of its own
 * (Node 24.21, 65-byte input: 0.29 vs 0.67 µs, and less garbage). The append path hashes about
 * twice per entry.
 */
export function sha256(input: Uint8Array): Buffer {
  return Buffer.from(hash('sha256', input, 'binary'), 'binary');
}

/** MTH({d0}) = SHA-256(0x00 || d0): the hash of one log entry (RFC 9162 §2.1.1). */
export function leafHash(entry: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + entry.length);
  input[0] = 0x00;
  input.set(entry, 1);
  return sha256(input);
}

/** SHA-256(0x01 || left || right): an interior node (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}
