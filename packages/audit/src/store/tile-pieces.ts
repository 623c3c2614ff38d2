import { HASH_SIZE } from '../merkle/hashes.ts';
import { TILE_WIDTH } from '../tiles/tile-paths.ts';
import type { StoredTile } from './ledger-store.ts';

/** What a group commit stores of one changed tile: the hashes from position `start` on. */
export interface TilePiece {
  readonly level: number;
  readonly index: number;
  /** Position of the first hash in the tile (0 for a whole tile). */
  readonly start: number;
  readonly hashes: Buffer;
}

/**
 * The pieces to store for the tiles a batch changed (migration 5): a full tile whole, at start 0,
 * replacing its earlier pieces; a partial one only from the hashes the log held before the batch
 * on. Level L holds floor(size / 256^L) hashes (C2SP tlog-tiles), so tile (L, N) held
 * floor(fromSize / 256^L) − 256·N of them, clamped to [0, 256]. Throws a TypeError for a tile that
 * does not extend what the log held at `fromSize` (a programming error: the tree builder's tiles
 * always do).
 */
export function tilePieces(fromSize: number, tiles: readonly StoredTile[]): TilePiece[] {
  return tiles.map((t) => {
    const width = t.hashes.length / HASH_SIZE;
    if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new TypeError(`tile ${String(t.level)}/${String(t.index)} is not 1 to 256 hashes`);
    if (width === TILE_WIDTH) return { level: t.level, index: t.index, start: 0, hashes: t.hashes };
    const held = Math.min(TILE_WIDTH, Math.max(0, Math.floor(fromSize / TILE_WIDTH ** t.level) - TILE_WIDTH * t.index));
    if (held >= width) throw new TypeError(`tile ${String(t.level)}/${String(t.index)} does not grow the ${String(held)} hashes stored before`);
    return { level: t.level, index: t.index, start: held, hashes: t.hashes.subarray(held * HASH_SIZE) };
  });
}

/**
 * A tile from its stored rows (`start`, `hashes`), in `start` order: the pieces that follow each
 * other from 0. Over damaged storage (a piece deleted or changed in length) it stops at the first
 * gap or overlap, so the verifier sees a tile shorter than the checkpoint needs and says so.
 */
export function joinTilePieces(rows: readonly { readonly start: number; readonly hashes: Buffer }[]): Buffer | undefined {
  const parts: Buffer[] = [];
  let width = 0;
  for (const row of rows) {
    if (row.start !== width || row.hashes.length % HASH_SIZE !== 0) break;
    parts.push(row.hashes);
    width += row.hashes.length / HASH_SIZE;
  }
  if (rows.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, width * HASH_SIZE);
}
