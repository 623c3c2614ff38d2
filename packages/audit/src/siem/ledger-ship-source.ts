import { parseLeaf } from '../ledger/audit-leaf.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import type { ShipSource, SourceEntry } from './ship-source.ts';

/**
 * The ledger store as a {@link ShipSource}: ships only entries covered by the latest signed
 * checkpoint (the store writes entries and their checkpoint in one transaction, so that is every
 * entry). The store itself is the {@link CursorStore} (`ledger_sink_cursors`). No push
 * notification: the shipper polls (`pollMs`).
 */
export function ledgerShipSource(store: Pick<LedgerStore, 'latestCheckpoint' | 'readEntries'>): ShipSource {
  return {
    latestCheckpoint: async () => {
      const checkpoint = await store.latestCheckpoint();
      return checkpoint === undefined ? undefined : { size: checkpoint.size, note: checkpoint.note };
    },
    readFrom: async (index: number, max: number): Promise<readonly SourceEntry[]> => {
      const size = (await store.latestCheckpoint())?.size ?? 0;
      const count = Math.min(max, size - index);
      if (count <= 0) return [];
      const leaves = await store.readEntries(index, count);
      return leaves.map((leaf, i) => ({ index: index + i, event: parseLeaf(leaf), leaf }));
    },
  };
}
