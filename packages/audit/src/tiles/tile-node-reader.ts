// Complete-subtree hashes read out of C2SP tlog-tiles: a node at tree level 8·L + r is the
// root of 2^r consecutive hashes of one level-L tile (tlog-tiles "Merkle Tree": the levels
// between tile levels are reconstructed by hashing).
import { HASH_SIZE } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import type { NodeId, NodeReader } from '../merkle/node-reader.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { TILE_HEIGHT, TILE_WIDTH, tilePath } from './tile-paths.ts';
import type { TileStore } from './tile-store.ts';

/** A NodeReader over tiles: each tile needed is read once per call, all in parallel. */
export function tileNodeReader(tiles: TileStore): NodeReader {
  return {
    async readNodes(ids: readonly NodeId[]): Promise<readonly Buffer[]> {
      const plans = ids.map(({ level, index }) => {
        if (!Number.isInteger(level) || level < 0 || level > 63 || !Number.isSafeInteger(index) || index < 0) {
          throw new TypeError(`bad node id ${level}/${index}`);
        }
        const tileLevel = Math.floor(level / TILE_HEIGHT);
        const span = 2 ** (level - tileLevel * TILE_HEIGHT);
        const first = index * span; // first hash at tree level 8·tileLevel
        return { tileLevel, tileIndex: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, span };
      });
      const keys = [...new Set(plans.map((p) => `${p.tileLevel}/${p.tileIndex}`))];
      const fetched = await Promise.all(
        keys.map(async (key) => {
          const [l, i] = key.split('/').map(Number) as [number, number];
          return [key, await tiles.getTile(l, i)] as const;
        }),
      );
      const byKey = new Map(fetched);
      return plans.map((p) => {
        const tile = byKey.get(`${p.tileLevel}/${p.tileIndex}`);
        const end = (p.offset + p.span) * HASH_SIZE;
        if (tile === undefined || tile.length < end) {
          throw new MerkleLogError('missing-tile', 'a tile needed for a proof is missing or too short', {
            place: { path: tilePath({ level: p.tileLevel, index: p.tileIndex, width: TILE_WIDTH }) },
          });
        }
        if (p.span === 1) return Buffer.from(tile.subarray(p.offset * HASH_SIZE, end));
        const hashes: Buffer[] = [];
        for (let k = p.offset; k < p.offset + p.span; k++) hashes.push(tile.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE));
        return rootFromLeafHashes(hashes);
      });
    },
  };
}
