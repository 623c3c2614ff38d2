import type { Clock } from '@phiguard/core';
import type { AuditReceipt, AuditRecorder } from '../audit-recorder.ts';
import type { AuditEvent, AuditEventInput } from '../events/audit-event.ts';
import type { SourceEntry } from '../siem/ship-source.ts';
import type { EntryQuery, LedgerStore, StoredEntry } from '../store/ledger-store.ts';
import { TreeBuilder } from '../tiles/tree-builder.ts';
import { parseLeaf, prepareLeafAt, toStoredEntry, type PreparedLeaf } from './audit-leaf.ts';
import type { CheckpointSigner } from './checkpoint-signer.ts';
import { GroupCommit } from './group-commit.ts';
import { LedgerError } from './ledger-error.ts';
import { proveInclusion, type InclusionProofResult } from './ledger-proof.ts';
import { resumeTree, signCheckpoint, type SignedHead } from './ledger-head.ts';

export interface LedgerOptions {
  readonly store: LedgerStore;
  readonly signer: CheckpointSigner;
  readonly clock: Clock;
  /** Checkpoint origin line (C2SP tlog-checkpoint), from `ledger.origin`. */
  readonly origin: string;
  /** From `ledger.maxBatchSize` / `ledger.maxBatchDelayMs`. */
  readonly maxBatchSize: number;
  readonly maxBatchDelayMs: number;
  /**
   * Batches that may commit at once (pipelining); default: the store's `appendConcurrency`
   * (2 on PostgreSQL, 1 on PGlite, which runs one statement at a time).
   */
  readonly maxInFlightBatches?: number;
  /** Extra verifier keys trusted for the stored checkpoint when resuming (e.g. after rotation). */
  readonly trustedVerifierKeys?: readonly string[];
}

/** A search hit: the event and where it is in the log. */
export interface LedgerHit {
  readonly index: number;
  readonly event: AuditEvent;
}

/**
 * The tamper-evident audit ledger (HIPAA §164.312(b) audit controls, §164.312(c)(1) integrity):
 * an RFC 9162 Merkle log stored as C2SP tiles, with a signed checkpoint after every group
 * commit. `record` resolves only once the event's batch is durable and signed.
 */
export class Ledger implements AuditRecorder {
  readonly #store: LedgerStore;
  readonly #options: LedgerOptions;
  readonly #commits: GroupCommit<PreparedLeaf, AuditReceipt>;
  #tree: TreeBuilder | undefined;
  #head: SignedHead;
  #growth: (() => void)[] = [];
  /** Settles (never rejects) when the latest batch handed to the store and all before it settled. */
  #lastSettled: Promise<unknown> = Promise.resolve();
  /** Failed batches so far: a later batch's conflict after one of them is collateral. */
  #failures = 0;
  /** The leaf time string for the clock's current millisecond (RFC 3339, UTC). */
  #timeMs = Number.NaN;
  #timeIso = '';

  private constructor(options: LedgerOptions, tree: TreeBuilder, head: SignedHead) {
    this.#store = options.store;
    this.#options = options;
    this.#tree = tree;
    this.#head = head;
    this.#commits = new GroupCommit({
      maxBatchSize: options.maxBatchSize,
      maxBatchDelayMs: options.maxBatchDelayMs,
      maxInFlight: options.maxInFlightBatches ?? options.store.appendConcurrency ?? 1,
      commit: (leaves) => this.#commitBatch(leaves),
    });
  }

  /**
   * Opens the ledger on a store: resumes from the latest checkpoint after checking its signature
   * and that the stored tiles reproduce its root (`corrupt` otherwise); on an empty store, signs
   * and stores the checkpoint of the empty tree. Records the signer's verifier keys.
   */
  static async open(options: LedgerOptions): Promise<Ledger> {
    for (const key of options.signer.verifierKeys) await options.store.addVerifierKey(key);
    const { tree, head } = await resumeTree(options);
    return new Ledger(options, tree, head);
  }

  /** The newest signed checkpoint this ledger wrote or resumed from. */
  get head(): SignedHead {
    return this.#head;
  }

  record(event: AuditEventInput): Promise<AuditReceipt> {
    let leaf: PreparedLeaf;
    try {
      // Validation happens alone, before batching: a bad event never fails its neighbours.
      leaf = prepareLeafAt(event, this.#isoNow());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError('invalid audit event'));
    }
    return this.#commits.submit(leaf);
  }

  /**
   * Commits one batch. With pipelining, batch N+1 is appended to the in-memory tree and sent
   * while batch N is still committing; the store's size check makes N+1 fail if N did not commit
   * (ledger_append_pieces). Batches settle in order: N+1's callers resolve only after N settled
   * and N+1's own transaction committed. A batch refused only because one before it failed is
   * retried once on the tree rebuilt from the store.
   */
  /** The clock's time as RFC 3339 UTC with milliseconds, formatted once per millisecond. */
  #isoNow(): string {
    const now = this.#options.clock.now();
    const ms = now.getTime();
    if (ms !== this.#timeMs) {
      this.#timeMs = ms;
      this.#timeIso = now.toISOString();
    }
    return this.#timeIso;
  }

  async #commitBatch(leaves: readonly PreparedLeaf[]): Promise<readonly AuditReceipt[]> {
    const previous = this.#lastSettled;
    const { promise: settled, resolve: settle } = Promise.withResolvers<undefined>();
    this.#lastSettled = settled;
    try {
      for (let attempt = 0; ; attempt++) {
        const failuresBefore = this.#failures;
        try {
          return await this.#appendBatch(leaves, previous);
        } catch (error) {
          if (attempt > 0 || !(error instanceof LedgerError) || error.code !== 'conflict') throw error;
          // A refusal caused by an earlier batch's failure (counted besides this one's own once
          // every earlier batch settled) is retried once, on the tree rebuilt from the store.
          await previous;
          if (this.#failures <= failuresBefore + 1) throw error;
        }
      }
    } finally {
      // Settle after the previous batch, so that "previous settled" means "all earlier settled".
      void previous.then(() => {
        settle(undefined);
      });
    }
  }

  async #appendBatch(leaves: readonly PreparedLeaf[], previous: Promise<unknown>): Promise<readonly AuditReceipt[]> {
    if (this.#tree === undefined) {
      // A batch failed: wait until every earlier batch settled, then rebuild from the store.
      await previous;
    }
    // Every earlier batch has settled here if the tree is still missing: rebuild it from the store.
    const tree = this.#tree ?? (await this.#reload());
    const fromSize = tree.size;
    let head: SignedHead;
    try {
      const appended = tree.append(leaves.map((l) => l.hash));
      head = signCheckpoint(this.#options, appended.size, appended.root);
      const entries: StoredEntry[] = [];
      for (let i = 0; i < leaves.length; i++) entries.push(toStoredEntry(fromSize + i, leaves[i] as PreparedLeaf));
      await this.#store.append({ fromSize, entries, tiles: appended.dirtyTiles, checkpoint: { size: head.size, note: head.note } });
    } catch (error) {
      // The in-memory tree ran ahead of the store: rebuild it from the store before the next batch.
      if (this.#tree === tree) this.#tree = undefined;
      this.#failures += 1;
      throw error;
    }
    await previous;
    if (head.size > this.#head.size) this.#head = head;
    for (const wake of this.#growth.splice(0)) wake();
    const receipts: AuditReceipt[] = [];
    for (let i = 0; i < leaves.length; i++) receipts.push(Object.freeze({ index: fromSize + i, checkpointSize: head.size }));
    return receipts;
  }

  async #reload(): Promise<TreeBuilder> {
    const { tree, head } = await resumeTree(this.#options);
    this.#tree = tree;
    this.#head = head;
    return tree;
  }

  /** Entries matching all given filters, in index order (at most `limit`, default 100). */
  async search(query: EntryQuery): Promise<readonly LedgerHit[]> {
    const hits = await this.#store.search(query);
    return Object.freeze(hits.map((h) => Object.freeze({ index: h.index, event: parseLeaf(h.leaf) })));
  }

  /** The entry at `index`, its inclusion proof (RFC 9162 §2.1.3) and the checkpoint it is proved against. */
  async proof(index: number): Promise<InclusionProofResult> {
    return proveInclusion(this.#store, this.#head, index);
  }

  /** Up to `max` entries from `index` on, in order (the SIEM shipper's ShipSource). */
  async readFrom(index: number, max: number): Promise<readonly SourceEntry[]> {
    const count = Math.max(0, Math.min(max, this.#head.size - index));
    if (count === 0) return [];
    const leaves = await this.#store.readEntries(index, count);
    if (leaves.length !== count) {
      throw new LedgerError('corrupt', 'ledger entries are missing', { place: { index: index + leaves.length }, hint: 'run `phiguard audit verify`' });
    }
    return leaves.map((leaf, i) => Object.freeze({ index: index + i, event: parseLeaf(leaf), leaf }));
  }

  latestCheckpoint(): Promise<{ readonly size: number; readonly note: string }> {
    return Promise.resolve({ size: this.#head.size, note: this.#head.note });
  }

  /** Resolves when the log holds more than `afterSize` entries, or when `signal` aborts. */
  waitForGrowth(afterSize: number, signal: AbortSignal): Promise<void> {
    if (this.#head.size > afterSize || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.#growth.push(done);
    });
  }

  /** Commits every event already recorded, refuses new ones, and closes the store. */
  async close(): Promise<void> {
    await this.#commits.close();
    for (const wake of this.#growth.splice(0)) wake();
    await this.#store.close();
  }
}
