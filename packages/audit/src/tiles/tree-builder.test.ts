import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_ROOT, leafHash, nodeHash } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../merkle/proofs.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { MemoryTileStore } from './memory-tile-store.ts';
import { tileLevels } from './tile-paths.ts';
import { tileNodeReader } from './tile-node-reader.ts';
import { TreeBuilder } from './tree-builder.ts';

/** FUZZ_RUNS=100000 runs the property tests long (CI keeps the defaults). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

const leaves = (from: number, n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${from + i}`)));

/** Appends `total` leaves in the given batch sizes, reopening the builder from the store between some batches. */
async function build(total: number, batches: readonly number[], reopenEvery = 0): Promise<{ store: MemoryTileStore; all: Buffer[]; builder: TreeBuilder }> {
  const store = new MemoryTileStore();
  const all = leaves(0, total);
  let builder = await TreeBuilder.open(0, store);
  let at = 0;
  let k = 0;
  while (at < total) {
    const n = Math.min(batches[k % batches.length] ?? 1, total - at) || 1;
    const result = builder.append(all.slice(at, at + n));
    store.put(result.dirtyTiles);
    at += n;
    k += 1;
    expect(result.size).toBe(at);
    if (reopenEvery > 0 && k % reopenEvery === 0) builder = await TreeBuilder.open(at, store);
  }
  return { store, all, builder };
}

describe('TreeBuilder', () => {
  it('starts empty and reports the spec tiles for 256 leaves', async () => {
    const store = new MemoryTileStore();
    const b = await TreeBuilder.open(0, store);
    expect(b.root).toEqual(EMPTY_ROOT);
    const r = b.append(leaves(0, 256));
    expect(r.dirtyTiles.map((t) => [t.level, t.index, t.hashes.length / 32])).toEqual([
      [0, 0, 256],
      [1, 0, 1],
    ]);
    expect(r.root).toEqual(rootFromLeafHashes(leaves(0, 256)));
    expect(b.append([]).dirtyTiles).toEqual([]);
  });

  it('matches rootFromLeafHashes for random batch splits, reopening from tiles', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1500 }), fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 6 }), fc.nat(3), async (total, batches, reopen) => {
        const { builder, all, store } = await build(total, batches, reopen);
        expect(builder.root).toEqual(rootFromLeafHashes(all));
        const reopened = await TreeBuilder.open(total, store);
        expect(reopened.root).toEqual(builder.root);
        // Exactly the tiles of tlog-tiles exist, each the right width.
        const expected = tileLevels(total).reduce((n, l) => n + l.fullTiles + (l.partialWidth > 0 ? 1 : 0), 0);
        expect(store.count).toBe(expected);
      }),
      { numRuns: RUNS ?? 100 },
    );
  });

  describe('over one log of 70,300 leaves', () => {
    const total = 70_300;
    let store: MemoryTileStore;
    let all: Buffer[];
    // levels[l][i]: hash of the complete subtree of 2^l leaves starting at i·2^l, by plain pairwise hashing.
    let levels: Buffer[][];
    /** MTH(D[lo:hi]) by the recursive definition of RFC 9162 §2.1.1, with complete subtrees looked up. */
    const mth = (lo: number, hi: number): Buffer => {
      const n = hi - lo;
      if (n === 0) return Buffer.from(EMPTY_ROOT);
      const level = Math.log2(n);
      if (Number.isInteger(level) && lo % n === 0) return levels[level]![lo / n]!;
      let k = 1;
      while (k * 2 < n) k *= 2;
      return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
    };
    beforeAll(async () => {
      ({ store, all } = await build(total, [9_999]));
      levels = [all];
      while (levels.at(-1)!.length > 1) {
        const prev = levels.at(-1)!;
        const next: Buffer[] = [];
        for (let i = 0; i + 1 < prev.length; i += 2) next.push(nodeHash(prev[i]!, prev[i + 1]!));
        levels.push(next);
      }
    });

    it('agrees with rootFromLeafHashes on the whole log', () => {
      expect(mth(0, total)).toEqual(rootFromLeafHashes(all));
    });

    it('opens at any size (newer, longer tile versions included), at multiples of 256 and 65536, and keeps appending', async () => {
      for (const size of [0, 1, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70_000]) {
        const b = await TreeBuilder.open(size, store);
        expect(b.size).toBe(size);
        expect(b.root).toEqual(mth(0, size));
        const r = b.append(all.slice(size, size + 300));
        expect(r.root).toEqual(mth(0, size + 300));
        // The tiles it reports are the ones the full log has (as prefixes of the newest versions).
        for (const t of r.dirtyTiles) {
          const stored = await store.getTile(t.level, t.index);
          expect(stored?.subarray(0, t.hashes.length)).toEqual(t.hashes);
        }
      }
    });

    it('serves proofs through tileNodeReader that verify, across tile boundaries', async () => {
      const reader = tileNodeReader(store);
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: total })), fc.nat(), fc.nat(), async (size, a, b) => {
          const root = mth(0, size);
          const index = a % size;
          const proof = await inclusionProof(index, size, reader);
          expect(verifyInclusion(all[index]!, index, size, proof, root)).toBe(true);
          const old = (b % size) + 1;
          const cp = await consistencyProof(old, size, reader);
          expect(verifyConsistency(old, size, mth(0, old), root, cp)).toBe(true);
        }),
        { numRuns: RUNS ?? 150 },
      );
    });
  });

  it('refuses to open when a right-edge tile is missing', async () => {
    await expect(TreeBuilder.open(300, new MemoryTileStore())).rejects.toBeInstanceOf(MerkleLogError);
    await expect(TreeBuilder.open(-1, new MemoryTileStore())).rejects.toThrow(TypeError);
  });
});
