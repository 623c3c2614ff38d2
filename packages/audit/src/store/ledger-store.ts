/** One leaf as the store keeps it: the bytes that are hashed, plus columns extracted for search. */
export interface StoredEntry {
  readonly index: number;
  /** The leaf bytes (canonical JSON of the `AuditEvent`), exactly as hashed (RFC 9162 §2.1.1). */
  readonly leaf: Buffer;
  readonly actorId: string;
  readonly action: string;
  /** RFC 3339 time of the event. */
  readonly time: string;
  /** The event's resources, indexed for search by type+id, type or id. */
  readonly resources: readonly { readonly type: string; readonly id: string }[];
}

/** A tile's newest hashes (C2SP tlog-tiles: level, index, up to 256 hashes of 32 bytes). */
export interface StoredTile {
  readonly level: number;
  readonly index: number;
  readonly hashes: Buffer;
}

/** A signed checkpoint note (C2SP tlog-checkpoint + signed-note) and the tree size it commits to. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly note: string;
}

/**
 * Everything one group commit writes, in ONE transaction: the new entries (indices
 * `fromSize .. checkpoint.size - 1`), the tiles they changed, and the checkpoint that signs them.
 */
export interface AppendBatch {
  /** Tree size before the batch; the store refuses the batch (`conflict`) if it is not its latest checkpoint's size. */
  readonly fromSize: number;
  readonly entries: readonly StoredEntry[];
  readonly tiles: readonly StoredTile[];
  readonly checkpoint: StoredCheckpoint;
}

/** Search filters; all optional and combined with AND. `after` is an index cursor (exclusive). */
export interface EntryQuery {
  readonly actorId?: string;
  readonly action?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** Inclusive lower bound on the event time (RFC 3339). */
  readonly from?: string;
  /** Exclusive upper bound on the event time (RFC 3339). */
  readonly to?: string;
  /** At most this many (default 100, at most 10000). */
  readonly limit?: number;
  readonly after?: number;
}

export interface EntryHit {
  readonly index: number;
  readonly leaf: Buffer;
}

/** A public verifier key of the log signer (C2SP signed-note vkey) and when it was registered. */
export interface StoredVerifierKey {
  readonly verifierKey: string;
  readonly addedAt: string;
}

/**
 * Durable state of the audit ledger (HIPAA §164.312(b), §164.316(b)(2)(i) six-year retention):
 * entries, tiles, checkpoints, the signer's public keys and SIEM sink cursors. It is a
 * `TileLogReader`, so `verifyLog` runs directly against it. Implementations run the SAME
 * migrations (`ledger-migrations.ts`) and the same contract tests: PGlite and PostgreSQL.
 */
export interface LedgerStore {
  /**
   * How many `append` calls may usefully run at once (the ledger pipelines that many batches);
   * undefined = 1. Concurrent appends must still commit in `fromSize` order or fail (`conflict`).
   */
  readonly appendConcurrency?: number;
  /** The newest signed checkpoint note (TileLogReader); `not-found` when there is none. */
  readCheckpoint(): Promise<string>;
  /** Leaves `from .. from+count-1` (TileLogReader); over damaged storage, the rows that are there. */
  readEntries(from: number, count: number): Promise<readonly Buffer[]>;
  /** A tile's newest hashes (TileStore), or undefined. */
  getTile(level: number, index: number): Promise<Buffer | undefined>;
  /** The newest checkpoint, or undefined for a log never opened for writing. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Writes a batch atomically; all or nothing. Rejects with `conflict` if `fromSize` is stale. */
  append(batch: AppendBatch): Promise<void>;
  /** Entries matching the query, ordered by index. */
  search(query: EntryQuery): Promise<readonly EntryHit[]>;
  /** The entry at `index`, or undefined. */
  getEntry(index: number): Promise<Buffer | undefined>;
  addVerifierKey(verifierKey: string): Promise<void>;
  verifierKeys(): Promise<readonly StoredVerifierKey[]>;
  /** Next index a SIEM sink has to ship (0 when unknown). */
  getCursor(sinkId: string): Promise<number>;
  setCursor(sinkId: string, nextIndex: number): Promise<void>;
  close(): Promise<void>;
}
