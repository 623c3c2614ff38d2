// Incremental RFC 9162 §2.1.1 tree over C2SP tlog-tiles: keeps only the right-edge partial
// tile of each level (at most 256 hashes per level), so an append costs O(batch + log n).
import { hash } from 'node:crypto';
import { EMPTY_ROOT, HASH_SIZE } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { foldRightEdge, isTreeInteger } from '../merkle/subtrees.ts';
import { TILE_WIDTH, tileLevels, tilePath } from './tile-paths.ts';
import type { DirtyTile, TileStore } from './tile-store.ts';

/** A complete subtree inside a level's partial tile; `height` counts levels above the tile's hashes. */
interface Peak {
  readonly hash: Buffer;
  readonly height: number;
}

/** One tile level's right edge: the hashes of its partial tile and their complete subtrees. */
interface Edge {
  /** Complete nodes at tree level 8·L so far; the partial tile is index floor(count / 256). */
  count: number;
  hashes: Buffer[];
  peaks: Peak[];
}

/** What an append produced. */
export interface AppendResult {
  readonly size: number;
  readonly root: Buffer;
  /** Every tile whose content changed: full tiles completed, then the new partial tiles; sorted by level, index. */
  readonly dirtyTiles: readonly DirtyTile[];
}

/** SHA-256(0x01 || left || right) (RFC 9162 §2.1.1), in one call: `nodeHash` without a Hash object. */
function hashNode(left: Buffer, right: Buffer): Buffer {
  const input = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
  input[0] = 0x01;
  left.copy(input, 1);
  right.copy(input, 1 + HASH_SIZE);
  return hash('sha256', input, 'buffer');
}

function pushPeak(peaks: Peak[], leaf: Buffer): void {
  let top: Peak = { hash: leaf, height: 0 };
  for (let prev = peaks.at(-1); prev?.height === top.height; prev = peaks.at(-1)) {
    peaks.pop();
    top = { hash: hashNode(prev.hash, top.hash), height: top.height + 1 };
  }
  peaks.push(top);
}

/**
 * Appends leaf hashes to a tiled Merkle tree and reports the tiles to persist.
 * `open` reads only the right-edge partial tiles; `append` is synchronous.
 */
export class TreeBuilder {
  #size: number;
  readonly #edges: Edge[];

  private constructor(size: number, edges: Edge[]) {
    this.#size = size;
    this.#edges = edges;
  }

  /** Leaves in the tree. */
  get size(): number {
    return this.#size;
  }

  /** Opens the tree of `size` leaves whose tiles are in `tiles` (any size, 0 included). */
  static async open(size: number, tiles: TileStore): Promise<TreeBuilder> {
    if (!isTreeInteger(size)) throw new TypeError(`tree size must be a non-negative safe integer, got ${size}`);
    const levels = tileLevels(size);
    const edges = await Promise.all(
      levels.map(async ({ level, fullTiles, partialWidth }): Promise<Edge> => {
        const edge: Edge = { count: fullTiles * TILE_WIDTH + partialWidth, hashes: [], peaks: [] };
        if (partialWidth === 0) return edge;
        const tile = await tiles.getTile(level, fullTiles);
        if (tile === undefined || tile.length < partialWidth * HASH_SIZE) {
          throw new MerkleLogError('missing-tile', `the right-edge tile of level ${level} is missing or shorter than the tree size needs`, {
            place: { path: tilePath({ level, index: fullTiles, width: partialWidth }) },
          });
        }
        for (let i = 0; i < partialWidth; i++) {
          const h = Buffer.from(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
          edge.hashes.push(h);
          pushPeak(edge.peaks, h);
        }
        return edge;
      }),
    );
    return new TreeBuilder(size, edges);
  }

  /** The root of the tree now: MTH(D[size]) (RFC 9162 §2.1.1), O(log n). */
  get root(): Buffer {
    if (this.#size === 0) return Buffer.from(EMPTY_ROOT);
    // The right edge's complete subtrees, left to right = highest tile level first.
    const peaks: Buffer[] = [];
    for (let level = this.#edges.length - 1; level >= 0; level--) {
      for (const p of (this.#edges[level] as Edge).peaks) peaks.push(p.hash);
    }
    return foldRightEdge(peaks);
  }

  /**
   * Appends leaf hashes (each 32 bytes: `leafHash(entry)`). Returns the new size and root and
   * every tile whose content changed, which the caller stores in the same transaction as the
   * entries. On a TypeError nothing was appended.
   */
  append(leafHashes: readonly Buffer[]): AppendResult {
    leafHashes.forEach((h, i) => {
      if (h.length !== HASH_SIZE) throw new TypeError(`leaf hash ${i} is ${h.length} bytes, not 32`);
    });
    if (this.#size + leafHashes.length > Number.MAX_SAFE_INTEGER) throw new RangeError('the tree would exceed 2^53 - 1 leaves');
    const full: DirtyTile[] = [];
    const touched = new Set<number>();
    for (const h of leafHashes) {
      this.#push(0, Buffer.from(h), full, touched);
      this.#size += 1;
    }
    const partial: DirtyTile[] = [];
    for (const level of touched) {
      const edge = this.#edges[level] as Edge;
      if (edge.hashes.length > 0) {
        partial.push({ level, index: Math.floor(edge.count / TILE_WIDTH), hashes: Buffer.concat(edge.hashes) });
      }
    }
    const dirtyTiles = Object.freeze([...full, ...partial].sort((a, b) => a.level - b.level || a.index - b.index).map((t) => Object.freeze(t)));
    return Object.freeze({ size: this.#size, root: this.root, dirtyTiles });
  }

  #push(level: number, hash: Buffer, full: DirtyTile[], touched: Set<number>): void {
    let edge = this.#edges[level];
    if (edge === undefined) {
      edge = { count: 0, hashes: [], peaks: [] };
      this.#edges[level] = edge;
    }
    edge.hashes.push(hash);
    pushPeak(edge.peaks, hash);
    edge.count += 1;
    touched.add(level);
    if (edge.hashes.length === TILE_WIDTH) {
      // The tile is full: its single peak is the hash of the 256-hash subtree, one hash of the level above.
      full.push({ level, index: edge.count / TILE_WIDTH - 1, hashes: Buffer.concat(edge.hashes) });
      const tileRoot = (edge.peaks[0] as Peak).hash;
      edge.hashes = [];
      edge.peaks = [];
      this.#push(level + 1, tileRoot, full, touched);
    }
  }
}
