/**
 * A complete subtree of the log: the 2^level leaves starting at leaf index * 2^level.
 * Level 0 is a leaf hash; level 8 is the hash of one full level-0 tile (C2SP tlog-tiles).
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Reads hashes of complete subtrees (RFC 9162 §2.1.1 MTH of an aligned power-of-two range). */
export interface NodeReader {
  /** The hashes of `ids`, in the same order. Throws when one is not stored. */
  readNodes(ids: readonly NodeId[]): Promise<readonly Buffer[]>;
}
