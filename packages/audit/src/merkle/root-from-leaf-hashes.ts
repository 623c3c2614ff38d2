import { EMPTY_ROOT, nodeHash } from './hashes.ts';
import { foldRightEdge } from './subtrees.ts';

/**
 * MTH(D[n]) computed from all leaf hashes in memory (RFC 9162 §2.1.1), in O(n) time and
 * O(log n) extra space. The reference against which the tiled builder is tested.
 */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return Buffer.from(EMPTY_ROOT);
  // A stack of complete subtrees: sizes are the binary digits of the count so far.
  const stack: { hash: Buffer; size: number }[] = [];
  for (const h of hashes) {
    let top: { hash: Buffer; size: number } = { hash: Buffer.from(h), size: 1 };
    for (let prev = stack.at(-1); prev?.size === top.size; prev = stack.at(-1)) {
      stack.pop();
      top = { hash: nodeHash(prev.hash, top.hash), size: prev.size * 2 };
    }
    stack.push(top);
  }
  return foldRightEdge(stack.map((s) => s.hash));
}
