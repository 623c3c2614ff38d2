// Incremental RFC 9162 §2.1.1 tree over C2SP tlog-tiles: keeps only the right-edge partial
// tile of each level (at most 256 hashes per level), so an append costs O(batch + log n).
// Each level's partial tile lives in one reused 8 KiB buffer and node inputs in one reused
// 65-byte buffer: an append allocates per tile it reports and per node hash, nothing else.
import { EMPTY_ROOT, HASH_SIZE, sha256 } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { isTreeInteger } from '../merkle/subtrees.ts';
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
  /** The partial tile's hashes: `width` of them, 32 bytes each, in a buffer of a full tile's size. */
  readonly tile: Buffer;
  width: number;
  peaks: Peak[];
}

/** What an append produced. */
export interface AppendResult {
  readonly size: number;
  readonly root: Buffer;
  /** Every tile whose content changed: full tiles completed, then the new partial tiles; sorted by level, index. */
  readonly dirtyTiles: readonly DirtyTile[];
}

function newEdge(count: number): Edge {
  return { count, tile: Buffer.alloc(TILE_WIDTH * HASH_SIZE), width: 0, peaks: [] };
}

/**
 * Appends leaf hashes to a tiled Merkle tree and reports the tiles to persist.
 * `open` reads only the right-edge partial tiles; `append` is synchronous.
 */
export class TreeBuilder {
  #size: number;
  readonly #edges: Edge[];
  /** 0x01 || left || right, the input of every node hash (RFC 9162 §2.1.1); used synchronously. */
  readonly #node = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

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
        const edge = newEdge(fullTiles * TILE_WIDTH + partialWidth);
        if (partialWidth === 0) return edge;
        const tile = await tiles.getTile(level, fullTiles);
        if (tile === undefined || tile.length < partialWidth * HASH_SIZE) {
          throw new MerkleLogError('missing-tile', `the right-edge tile of level ${level} is missing or shorter than the tree size needs`, {
            place: { path: tilePath({ level, index: fullTiles, width: partialWidth }) },
          });
        }
        tile.copy(edge.tile, 0, 0, partialWidth * HASH_SIZE);
        return edge;
      }),
    );
    const builder = new TreeBuilder(size, edges);
    for (const edge of edges) {
      const width = edge.count % TILE_WIDTH;
      for (let i = 0; i < width; i++) builder.#pushPeak(edge, edge.tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
      edge.width = width;
    }
    return builder;
  }

  /** The root of the tree now: MTH(D[size]) (RFC 9162 §2.1.1), O(log n). */
  get root(): Buffer {
    if (this.#size === 0) return Buffer.from(EMPTY_ROOT);
    // The right edge's complete subtrees, left to right = highest tile level first, folded from
    // the right: MTH = HASH(0x01 || n1 || HASH(0x01 || n2 || ...)) (RFC 9162 §2.1.1).
    let acc: Buffer | undefined;
    for (let level = 0; level < this.#edges.length; level++) {
      const peaks = (this.#edges[level] as Edge).peaks;
      for (let i = peaks.length - 1; i >= 0; i--) {
        const peak = (peaks[i] as Peak).hash;
        acc = acc === undefined ? Buffer.from(peak) : this.#hashNode(peak, acc);
      }
    }
    return acc ?? Buffer.from(EMPTY_ROOT);
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
    let touched = 0;
    for (const h of leafHashes) {
      touched = Math.max(touched, this.#push(0, h, full) + 1);
      this.#size += 1;
    }
    const partial: DirtyTile[] = [];
    for (let level = 0; level < touched; level++) {
      const edge = this.#edges[level] as Edge;
      // A copy: the edge's buffer is overwritten by later appends, the store may keep this one.
      if (edge.width > 0) partial.push(Object.freeze({ level, index: Math.floor(edge.count / TILE_WIDTH), hashes: Buffer.from(edge.tile.subarray(0, edge.width * HASH_SIZE)) }));
    }
    // Full tiles come out level by level in index order per level; sorting interleaves the partials.
    const dirtyTiles = Object.freeze([...full, ...partial].sort((a, b) => a.level - b.level || a.index - b.index));
    return Object.freeze({ size: this.#size, root: this.root, dirtyTiles });
  }

  /** Adds a hash at tile level `level`; returns the highest level it touched. */
  #push(level: number, hash: Buffer, full: DirtyTile[]): number {
    let edge = this.#edges[level];
    if (edge === undefined) {
      edge = newEdge(0);
      this.#edges[level] = edge;
    }
    const at = edge.width * HASH_SIZE;
    hash.copy(edge.tile, at, 0, HASH_SIZE);
    this.#pushPeak(edge, edge.tile.subarray(at, at + HASH_SIZE));
    edge.width += 1;
    edge.count += 1;
    if (edge.width < TILE_WIDTH) return level;
    // The tile is full: its single peak is the hash of the 256-hash subtree, one hash of the level above.
    full.push(Object.freeze({ level, index: edge.count / TILE_WIDTH - 1, hashes: Buffer.from(edge.tile) }));
    const tileRoot = (edge.peaks[0] as Peak).hash;
    edge.width = 0;
    edge.peaks = [];
    return this.#push(level + 1, tileRoot, full);
  }

  /** Adds `hash` (a view of the edge's tile) to the edge's complete subtrees, merging equal heights. */
  #pushPeak(edge: Edge, hash: Buffer): void {
    const peaks = edge.peaks;
    let top: Peak = { hash, height: 0 };
    for (let prev = peaks.at(-1); prev?.height === top.height; prev = peaks.at(-1)) {
      peaks.pop();
      top = { hash: this.#hashNode(prev.hash, top.hash), height: top.height + 1 };
    }
    peaks.push(top);
  }

  /** SHA-256(0x01 || left || right) (RFC 9162 §2.1.1) through the reused input buffer. */
  #hashNode(left: Buffer, right: Buffer): Buffer {
    const input = this.#node;
    left.copy(input, 1, 0, HASH_SIZE);
    right.copy(input, 1 + HASH_SIZE, 0, HASH_SIZE);
    return sha256(input);
  }
}
