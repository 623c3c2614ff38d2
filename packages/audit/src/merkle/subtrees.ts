// Helpers over the shape of RFC 9162 §2.1.1 trees: which complete subtrees make up a range,
// and how the hash of an incomplete right-edge subtree is folded from them.
// All arithmetic stays in exact double-precision integers (sizes up to 2^53), never 32-bit
// bit operators.
import { nodeHash } from './hashes.ts';
import type { NodeId } from './node-reader.ts';

/** The largest number that can be a tree size or index (2^53 - 1). */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

/** The largest power of two strictly less than n (n >= 2), the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees that cover leaves [start, end), left to right: each is as large as
 * the alignment of its start and the rest of the range allow. For the ranges that appear in
 * RFC 9162 trees (start aligned to the range's size rounded up to a power of two) the sizes
 * are the binary digits of end - start, largest first.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    let width = 1;
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level += 1;
    }
    nodes.push({ level, index: at / width });
    at += width;
  }
  return nodes;
}

/**
 * MTH of a range made of complete subtrees listed left to right with decreasing sizes:
 * MTH = HASH(0x01 || n1 || HASH(0x01 || n2 || ...)) (RFC 9162 §2.1.1 applied recursively,
 * since the left part of every split is the largest complete subtree).
 */
export function foldRightEdge(hashes: readonly Buffer[]): Buffer {
  const last = hashes.at(-1);
  if (last === undefined) throw new TypeError('foldRightEdge needs at least one hash');
  let acc = last;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Buffer, acc);
  return acc;
}

/** True when n is a safe non-negative integer (a valid tree size or index). */
export function isTreeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}
