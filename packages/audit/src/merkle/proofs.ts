// Inclusion and consistency proofs of RFC 9162 §2.1.3 and §2.1.4: generation over a
// NodeReader (complete subtrees only, one batched read) and verification.
import { timingSafeEqual } from 'node:crypto';
import { HASH_SIZE, nodeHash } from './hashes.ts';
import type { NodeId, NodeReader } from './node-reader.ts';
import { foldRightEdge, isTreeInteger, rangeNodes, splitPoint } from './subtrees.ts';

type Range = readonly [start: number, end: number];

function equalHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === HASH_SIZE && b.length === HASH_SIZE && timingSafeEqual(a, b);
}

function allHashes(proof: readonly Uint8Array[]): boolean {
  return proof.every((p) => p.length === HASH_SIZE);
}

const half = (n: number): number => Math.floor(n / 2);
const odd = (n: number): boolean => n % 2 === 1;

/**
 * Verifies that `leafHash` is the leaf at `index` of the tree of `size` leaves whose root is
 * `root`, following RFC 9162 §2.1.3.2 step by step. Malformed input (wrong hash lengths,
 * negative or unsafe integers) is simply not a valid proof.
 */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isTreeInteger(index) || !isTreeInteger(size) || index >= size) return false;
  if (leafHash.length !== HASH_SIZE || root.length !== HASH_SIZE || !allHashes(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalHash(r, root);
}

/**
 * Verifies that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize`
 * leaves with root `oldRoot` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal
 * roots; a proof from the empty tree is refused (there is nothing to prove).
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isTreeInteger(oldSize) || !isTreeInteger(newSize) || newSize < oldSize) return false;
  if (!allHashes(proof)) return false;
  // RFC 9162 defines no proof from the empty tree; like transparency-dev/merkle we refuse it
  // (every tree trivially extends the empty one, so a caller has nothing to ask).
  if (oldSize === 0) return false;
  // Equal sizes: nothing to prove but the roots being the same bytes.
  if (oldSize === newSize) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  if (oldRoot.length !== HASH_SIZE || newRoot.length !== HASH_SIZE) return false;
  // §2.1.4.2 step 1: an empty path cannot prove anything for 0 < first < second.
  if (proof.length === 0) return false;
  // Step 2: when first is a power of two, first_hash is the implicit first element.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr: Buffer = Buffer.from(first);
  let sr: Buffer = Buffer.from(first);
  for (const c of rest) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return equalHash(fr, oldRoot) && equalHash(sr, newRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** The ranges whose MTH form PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first. */
function inclusionRanges(index: number, size: number): Range[] {
  const topDown: Range[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      topDown.push([lo + k, hi]);
      hi = lo + k;
    } else {
      topDown.push([lo, lo + k]);
      lo += k;
    }
  }
  return topDown.reverse();
}

/** The ranges whose MTH form PROOF(oldSize, D[0:newSize]) of RFC 9162 §2.1.4.1, deepest first. */
function consistencyRanges(oldSize: number, newSize: number): Range[] {
  const topDown: Range[] = [];
  let m = oldSize;
  let lo = 0;
  let hi = newSize;
  let complete = true; // the `b` flag of SUBPROOF: true while the subtree is an old root's prefix
  for (;;) {
    if (m === hi - lo) {
      if (!complete) topDown.push([lo, hi]);
      break;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      topDown.push([lo + k, hi]);
      hi = lo + k;
    } else {
      topDown.push([lo, lo + k]);
      m -= k;
      lo += k;
      complete = false;
    }
  }
  return topDown.reverse();
}

/** Reads every complete subtree the ranges need in one call, then folds each range's MTH. */
async function hashRanges(ranges: readonly Range[], reader: NodeReader): Promise<Buffer[]> {
  const perRange = ranges.map(([start, end]) => rangeNodes(start, end));
  const ids: NodeId[] = perRange.flat();
  const hashes = ids.length === 0 ? [] : await reader.readNodes(ids);
  if (hashes.length !== ids.length || !allHashes(hashes)) {
    throw new TypeError(`NodeReader returned ${hashes.length} hashes for ${ids.length} ids, or a hash of the wrong size`);
  }
  let at = 0;
  return perRange.map((nodes) => {
    const part = hashes.slice(at, at + nodes.length);
    at += nodes.length;
    return foldRightEdge(part);
  });
}

/**
 * The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves, RFC 9162
 * §2.1.3.1. Complete subtrees come from `reader` in one batch; incomplete right-edge
 * subtrees are folded here from their complete parts.
 */
export async function inclusionProof(index: number, size: number, reader: NodeReader): Promise<Buffer[]> {
  if (!isTreeInteger(index) || !isTreeInteger(size) || index >= size) {
    throw new RangeError(`inclusionProof needs 0 <= index < size <= 2^53 - 1 (index ${index}, size ${size})`);
  }
  return hashRanges(inclusionRanges(index, size), reader);
}

/**
 * The consistency proof between the trees of `oldSize` and `newSize` leaves, RFC 9162
 * §2.1.4.1. Empty when oldSize is 0 or equal to newSize.
 */
export async function consistencyProof(oldSize: number, newSize: number, reader: NodeReader): Promise<Buffer[]> {
  if (!isTreeInteger(oldSize) || !isTreeInteger(newSize) || oldSize > newSize) {
    throw new RangeError(`consistencyProof needs 0 <= oldSize <= newSize <= 2^53 - 1 (${oldSize}, ${newSize})`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  return hashRanges(consistencyRanges(oldSize, newSize), reader);
}
