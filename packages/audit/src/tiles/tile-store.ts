/** Where hash tiles live (C2SP tlog-tiles "Merkle Tree"): a database table, a folder, a bucket. */
export interface TileStore {
  /**
   * The newest stored version of tile (level, index), full or partial: concatenated 32-byte
   * hashes, or undefined when none is stored. A newer version may be longer than the width a
   * given tree size needs; readers take the prefix they need.
   */
  getTile(level: number, index: number): Promise<Buffer | undefined>;
}

/** A tile whose content changed in an append; persist it with the entries, in one transaction. */
export interface DirtyTile {
  readonly level: number;
  readonly index: number;
  /** The whole tile after the append (256 hashes when full, fewer when partial). */
  readonly hashes: Buffer;
}

/** Everything needed to export or verify a log: its signed checkpoint, tiles and entries. */
export interface TileLogReader extends TileStore {
  /** The current signed checkpoint note (C2SP tlog-checkpoint over C2SP signed-note). */
  readCheckpoint(): Promise<string>;
  /**
   * The entries at indexes from .. from+count-1, in order. A reader over healthy storage
   * returns exactly `count`; over damaged storage it returns what it finds (fewer, or more
   * where a bundle holds extra entries) and lets the verifier name the first bad index.
   */
  readEntries(from: number, count: number): Promise<readonly Buffer[]>;
}
