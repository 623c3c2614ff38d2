import type { DirtyTile, TileStore } from './tile-store.ts';

/** Tiles in a Map: for tests, tools and the verifier's own bookkeeping. Keeps the newest version of each tile. */
export class MemoryTileStore implements TileStore {
  readonly #tiles = new Map<string, Buffer>();

  /** Stores tiles as `TreeBuilder.append` reports them (a later version replaces an earlier one). */
  put(tiles: readonly DirtyTile[]): void {
    for (const t of tiles) this.#tiles.set(`${t.level}/${t.index}`, Buffer.from(t.hashes));
  }

  getTile(level: number, index: number): Promise<Buffer | undefined> {
    return Promise.resolve(this.#tiles.get(`${level}/${index}`));
  }

  /** How many tiles are stored. */
  get count(): number {
    return this.#tiles.size;
  }
}
