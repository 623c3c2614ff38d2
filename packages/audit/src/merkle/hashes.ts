import { createHash } from 'node:crypto';

/** Bytes in a SHA-256 hash, the only hash of this log (RFC 9162 §2.1, C2SP tlog-tiles). */
export const HASH_SIZE = 32;

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d0}) = SHA-256(0x00 || d0): the hash of one log entry (RFC 9162 §2.1.1). */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 || left || right): an interior node (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}
