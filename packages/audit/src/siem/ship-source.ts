import type { AuditEvent } from '../events/audit-event.ts';

/** One leaf read from the ledger for shipping. */
export interface SourceEntry {
  readonly index: number;
  readonly event: AuditEvent;
  /** The leaf bytes as hashed (canonical JSON of `event`). */
  readonly leaf: Buffer;
}

/**
 * What the shipper needs from the ledger. The ledger store satisfies it; tests use
 * {@link MemoryShipSource}.
 */
export interface ShipSource {
  /** Up to `max` entries from `index` on, in index order, without gaps; empty when none yet. */
  readFrom(index: number, max: number): Promise<readonly SourceEntry[]>;
  /** The newest signed checkpoint (C2SP tlog-checkpoint note) and the tree size it commits to. */
  latestCheckpoint(): Promise<{ readonly size: number; readonly note: string } | undefined>;
  /**
   * Resolves once the log holds more than `afterSize` entries, or when `signal` aborts. Optional:
   * without it the shipper polls.
   */
  waitForGrowth?(afterSize: number, signal: AbortSignal): Promise<void>;
}

/**
 * Durable per-sink cursors: the index of the next event to ship. The ledger store implements it
 * on its database; {@link FileCursorStore} keeps it in a file.
 */
export interface CursorStore {
  /** 0 for a sink never seen. */
  getCursor(sinkId: string): Promise<number>;
  /** Resolves once `next` is durable (survives kill -9 and power loss). */
  setCursor(sinkId: string, next: number): Promise<void>;
}
