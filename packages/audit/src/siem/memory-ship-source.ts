import { canonicalJsonBytes } from '@phiguard/core';
import type { AuditEvent } from '../events/audit-event.ts';
import type { ShipSource, SourceEntry } from './ship-source.ts';

/**
 * A {@link ShipSource} held in memory: for tests, demos and as the reference behaviour the ledger
 * store's adapter must match. Leaves are the canonical JSON of each event, as in the ledger.
 */
export class MemoryShipSource implements ShipSource {
  readonly #entries: SourceEntry[] = [];
  #checkpoint: { readonly size: number; readonly note: string } | undefined;
  readonly #waiters = new Set<() => void>();

  get size(): number {
    return this.#entries.length;
  }

  /** Appends events; returns the index of the first. */
  append(...events: readonly AuditEvent[]): number {
    const first = this.#entries.length;
    for (const event of events) {
      const frozen = Object.freeze(structuredClone(event));
      this.#entries.push(Object.freeze({ index: this.#entries.length, event: frozen, leaf: canonicalJsonBytes(frozen) }));
    }
    this.#wake();
    return first;
  }

  /** Publishes a checkpoint note for the first `size` entries. */
  publishCheckpoint(size: number, note: string): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#entries.length)
      throw new TypeError('checkpoint size must be within the log');
    this.#checkpoint = Object.freeze({ size, note });
    this.#wake();
  }

  readFrom(index: number, max: number): Promise<readonly SourceEntry[]> {
    return Promise.resolve(this.#entries.slice(index, index + max));
  }

  latestCheckpoint(): Promise<{ readonly size: number; readonly note: string } | undefined> {
    return Promise.resolve(this.#checkpoint);
  }

  waitForGrowth(afterSize: number, signal: AbortSignal): Promise<void> {
    if (this.#entries.length > afterSize || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(check);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const check = (): void => {
        if (this.#entries.length > afterSize) done();
      };
      this.#waiters.add(check);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
