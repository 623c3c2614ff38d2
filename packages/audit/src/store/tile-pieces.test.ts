import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryTileStore } from '../tiles/memory-tile-store.ts';
import { TreeBuilder } from '../tiles/tree-builder.ts';
import { joinTilePieces, tilePieces, type TilePiece } from './tile-pieces.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

function leafHashes(from: number, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => createHash('sha256').update(`leaf ${String(from + i)}`).digest());
}

/** The table as migration 5's append function keeps it: a piece at start 0 first removes the tile's rows. */
class PieceTable {
  readonly rows = new Map<string, { start: number; hashes: Buffer }[]>();

  insert(pieces: readonly TilePiece[]): void {
    for (const p of pieces) {
      const key = `${String(p.level)}/${String(p.index)}`;
      const rows = p.start === 0 ? [] : (this.rows.get(key) ?? []);
      if (rows.some((r) => r.start === p.start)) throw new Error('duplicate key (level, idx, start)');
      rows.push({ start: p.start, hashes: Buffer.from(p.hashes) });
      rows.sort((a, b) => a.start - b.start);
      this.rows.set(key, rows);
    }
  }

  tile(level: number, index: number): Buffer | undefined {
    return joinTilePieces(this.rows.get(`${String(level)}/${String(index)}`) ?? []);
  }
}

describe('tile pieces (migration 5)', () => {
  it('rebuild every tile the tree builder reported, for any sequence of batch sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 700 })), { minLength: 1, maxLength: 40 }), async (sizes) => {
        const tree = await TreeBuilder.open(0, new MemoryTileStore());
        const whole = new MemoryTileStore();
        const table = new PieceTable();
        let size = 0;
        for (const n of sizes) {
          const appended = tree.append(leafHashes(size, n));
          table.insert(tilePieces(size, appended.dirtyTiles));
          whole.put(appended.dirtyTiles);
          size += n;
          for (const t of appended.dirtyTiles) expect(table.tile(t.level, t.index)).toEqual(t.hashes);
        }
        // Every tile ever written, not only the last batch's: full tiles stay whole, one row each.
        for (const [key, rows] of table.rows) {
          const [level, index] = key.split('/').map(Number) as [number, number];
          expect(table.tile(level, index)).toEqual(await whole.getTile(level, index));
          if (rows.reduce((w, r) => w + r.hashes.length, 0) === 256 * 32) expect(rows).toHaveLength(1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('sends only the hashes a tile gained, and a completed tile whole', () => {
    const tile = (level: number, index: number, width: number) => ({ level, index, hashes: Buffer.alloc(width * 32, width) });
    // 300 entries held; the batch brings 10: level-0 tile 1 goes from 44 to 54 hashes, level-1 tile 0 keeps 1.
    expect(tilePieces(300, [tile(0, 1, 54)]).map((p) => [p.start, p.hashes.length / 32])).toEqual([[44, 10]]);
    // 250 held, 10 more: tile 0 completed (whole), tile 1 new (from 0), level 1 gets its first hash.
    expect(tilePieces(250, [tile(0, 0, 256), tile(0, 1, 4), tile(1, 0, 1)]).map((p) => [p.level, p.index, p.start, p.hashes.length / 32])).toEqual([
      [0, 0, 0, 256],
      [0, 1, 0, 4],
      [1, 0, 0, 1],
    ]);
  });

  it('refuses tiles that do not grow what the log held (a programming error)', () => {
    const hashes = Buffer.alloc(10 * 32);
    expect(() => tilePieces(15, [{ level: 0, index: 0, hashes }])).toThrow(TypeError);
    expect(() => tilePieces(0, [{ level: 0, index: 0, hashes: Buffer.alloc(33) }])).toThrow(TypeError);
    expect(() => tilePieces(0, [{ level: 0, index: 0, hashes: Buffer.alloc(257 * 32) }])).toThrow(TypeError);
  });

  it('reads a damaged tile only up to its first gap or overlap', () => {
    const a = Buffer.alloc(2 * 32, 1);
    const b = Buffer.alloc(3 * 32, 2);
    const c = Buffer.alloc(32, 3);
    expect(joinTilePieces([])).toBeUndefined();
    expect(joinTilePieces([{ start: 0, hashes: a }, { start: 2, hashes: b }, { start: 5, hashes: c }])).toEqual(Buffer.concat([a, b, c]));
    expect(joinTilePieces([{ start: 0, hashes: a }, { start: 5, hashes: c }])).toEqual(a);
    expect(joinTilePieces([{ start: 0, hashes: a }, { start: 1, hashes: b }])).toEqual(a);
    expect(joinTilePieces([{ start: 2, hashes: b }])?.length).toBe(0);
    expect(joinTilePieces([{ start: 0, hashes: Buffer.alloc(33) }])?.length).toBe(0);
  });
});
