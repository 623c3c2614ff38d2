import type { AppendBatch, LedgerStore } from '@phiguard/audit';

/** Counters of a {@link probeStore}: group commits, entries, and wall time inside `append`. */
export interface AppendCounters {
  batches: number;
  entries: number;
  /** Sum of the wall time of each `append` call, ms (the store's commit cycle: queueing behind the previous batch, the round trip, the durable COMMIT). */
  appendMs: number;
}

/** What the ledger did between two {@link AppendCounters} snapshots. */
export interface AppendStats {
  readonly batches: number;
  readonly meanBatch: number;
  readonly meanAppendMs: number;
}

/**
 * A store that forwards everything and counts the group commits that reach it: how many, how
 * large, and how long each `append` took. The bench reports them per connection count, so that
 * a change in throughput can be told apart as batching or as commit latency.
 */
export function probeStore(store: LedgerStore): { store: LedgerStore; counters: AppendCounters } {
  const counters: AppendCounters = { batches: 0, entries: 0, appendMs: 0 };
  const append = async (batch: AppendBatch): Promise<void> => {
    const start = performance.now();
    try {
      await store.append(batch);
    } finally {
      counters.batches += 1;
      counters.entries += batch.entries.length;
      counters.appendMs += performance.now() - start;
    }
  };
  // A proxy, not a prototype: the store's methods use private fields, so they run on the store itself.
  const probed = new Proxy(store, {
    get(target, key) {
      if (key === 'append') return append;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: probed, counters };
}

export function snapshot(counters: AppendCounters): AppendCounters {
  return { ...counters };
}

export function since(before: AppendCounters, after: AppendCounters): AppendStats {
  const batches = after.batches - before.batches;
  return {
    batches,
    meanBatch: batches === 0 ? 0 : (after.entries - before.entries) / batches,
    meanAppendMs: batches === 0 ? 0 : (after.appendMs - before.appendMs) / batches,
  };
}
