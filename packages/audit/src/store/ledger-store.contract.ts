// The contract every LedgerStore meets, run on each backend (ARCHITECTURE §3.8): PGlite in
// pglite-ledger-store.test.ts, PostgreSQL in pg-ledger-store.int.test.ts.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../ledger/ledger-error.ts';
import type { AppendBatch, LedgerStore, StoredEntry } from './ledger-store.ts';

export interface OpenedStore {
  readonly store: LedgerStore;
  /** Runs raw SQL against the store's database (tampering, failure injection). */
  readonly sql: (statement: string, params?: readonly unknown[]) => Promise<unknown>;
}

export interface StoreHarness {
  /** A fresh, empty store. */
  readonly open: () => Promise<OpenedStore>;
  readonly cleanup?: () => Promise<void>;
}

const ACTORS = ['usr_01hzzzzzzzzzzzzzzzzzzzzzza', 'svc_01hzzzzzzzzzzzzzzzzzzzzzzb'] as const;

function entry(index: number): StoredEntry {
  const actorId = ACTORS[index % 2] ?? '';
  const action = index % 3 === 0 ? 'dataset.read' : 'key.wrap';
  const time = new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString();
  const resources = [{ type: 'dataset', id: `ds-${String(index % 4)}` }];
  const leaf = Buffer.from(JSON.stringify({ index, actorId, action, time }));
  return { index, leaf, actorId, action, time, resources };
}

/** Entries `fromSize ..` and the level-0 tile 0 as it stands after them, as the tree builder reports it (all tests stay below 256 entries). */
function batch(fromSize: number, count: number, note = `cp ${String(fromSize + count)}`): AppendBatch {
  const entries = Array.from({ length: count }, (_, i) => entry(fromSize + i));
  const hashes = Buffer.concat(Array.from({ length: fromSize + count }, (_, i) => createHash('sha256').update(entry(i).leaf).digest()));
  return { fromSize, entries, tiles: [{ level: 0, index: 0, hashes }], checkpoint: { size: fromSize + count, note } };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function describeLedgerStoreContract(name: string, harness: StoreHarness): void {
  describe(`LedgerStore contract: ${name}`, () => {
    let store: LedgerStore;
    let sql: OpenedStore['sql'];
    beforeAll(async () => {
      ({ store, sql } = await harness.open());
    });
    afterAll(async () => {
      await store.close();
      await harness.cleanup?.();
    });

    it('starts empty', async () => {
      expect(await store.latestCheckpoint()).toBeUndefined();
      const error = await rejection(store.readCheckpoint());
      expect(error).toBeInstanceOf(LedgerError);
      expect((error as LedgerError).code).toBe('not-found');
      expect(await store.readEntries(0, 0)).toEqual([]);
    });

    it('appends a batch atomically and reads it back', async () => {
      await store.append({ fromSize: 0, entries: [], tiles: [], checkpoint: { size: 0, note: 'cp 0' } });
      const b = batch(0, 10);
      await store.append(b);
      expect(await store.latestCheckpoint()).toEqual({ size: 10, note: 'cp 10' });
      expect(await store.readCheckpoint()).toBe('cp 10');
      const leaves = await store.readEntries(0, 10);
      expect(leaves.map((l) => l.toString())).toEqual(b.entries.map((e) => e.leaf.toString()));
      expect(await store.readEntries(3, 2)).toEqual([b.entries[3]?.leaf, b.entries[4]?.leaf]);
      expect(await store.getTile(0, 0)).toEqual(b.tiles[0]?.hashes);
      expect(await store.getTile(1, 0)).toBeUndefined();
      expect(await store.getEntry(7)).toEqual(b.entries[7]?.leaf);
      expect(await store.getEntry(10)).toBeUndefined();
    });

    it('replaces a tile by its newer version', async () => {
      const b = batch(10, 5);
      await store.append(b);
      expect(await store.getTile(0, 0)).toEqual(b.tiles[0]?.hashes);
      expect((await store.getTile(0, 0))?.length).toBe(15 * 32);
    });

    it('refuses a stale batch (another writer got there first) and writes nothing', async () => {
      const error = await rejection(store.append(batch(10, 3)));
      expect((error as LedgerError).code).toBe('conflict');
      const ahead = await rejection(store.append(batch(20, 3)));
      expect((ahead as LedgerError).code).toBe('conflict');
      expect((await store.latestCheckpoint())?.size).toBe(15);
      expect(await store.getEntry(15)).toBeUndefined();
    });

    it('rolls a failed transaction back completely', async () => {
      const good = batch(15, 4);
      // An entry whose time the database rejects makes the INSERT fail after nothing else was kept.
      const bad: AppendBatch = { ...good, entries: good.entries.map((e, i) => (i === 2 ? { ...e, time: 'not a time' } : e)) };
      const error = await rejection(store.append(bad));
      expect((error as LedgerError).code).toBe('storage');
      expect((error as LedgerError).message).not.toContain('not a time');
      expect((await store.latestCheckpoint())?.size).toBe(15);
      expect(await store.getEntry(15)).toBeUndefined();
      expect((await store.getTile(0, 0))?.length).toBe(15 * 32);
      await store.append(good);
      expect((await store.latestCheckpoint())?.size).toBe(19);
    });

    it('rejects batches whose parts do not line up (programming error)', async () => {
      const b = batch(19, 2);
      await expect(store.append({ ...b, checkpoint: { size: 22, note: 'x' } })).rejects.toThrow(TypeError);
    });

    it('searches by actor, action, resource, time and index cursor', async () => {
      const idx = async (q: Parameters<LedgerStore['search']>[0]): Promise<number[]> => (await store.search(q)).map((h) => h.index);
      const all = await idx({});
      expect(all).toEqual(Array.from({ length: 19 }, (_, i) => i));
      expect(await idx({ actorId: ACTORS[1] })).toEqual(all.filter((i) => i % 2 === 1));
      expect(await idx({ action: 'dataset.read' })).toEqual(all.filter((i) => i % 3 === 0));
      expect(await idx({ resourceType: 'dataset', resourceId: 'ds-2' })).toEqual(all.filter((i) => i % 4 === 2));
      expect(await idx({ resourceId: 'ds-2' })).toEqual(all.filter((i) => i % 4 === 2));
      expect(await idx({ resourceType: 'dataset' })).toEqual(all);
      expect(await idx({ resourceType: 'key' })).toEqual([]);
      expect(await idx({ from: '2026-01-01T00:00:05Z', to: '2026-01-01T00:00:08Z' })).toEqual([5, 6, 7]);
      expect(await idx({ after: 15, limit: 2 })).toEqual([16, 17]);
      expect(await idx({ actorId: ACTORS[0], action: 'key.wrap', limit: 3 })).toEqual([2, 4, 8]);
      const hit = (await store.search({ after: 3, limit: 1 }))[0];
      expect(hit?.leaf).toEqual(entry(4).leaf);
      expect(Object.isFrozen(hit)).toBe(true);
    });

    it('returns the rows that are there when one was deleted (the verifier names the index)', async () => {
      await sql('DELETE FROM ledger_entries WHERE idx = 6');
      const leaves = await store.readEntries(0, 19);
      expect(leaves.length).toBe(18);
      expect(leaves[6]).toEqual(entry(7).leaf);
      expect(await store.readEntries(18, 5)).toEqual([entry(18).leaf]);
    });

    it('keeps verifier keys and sink cursors', async () => {
      await store.addVerifierKey('phiguard.local/audit+01234567+AAAA');
      await store.addVerifierKey('phiguard.local/audit+01234567+AAAA');
      await store.addVerifierKey('phiguard.local/audit+89abcdef+BBBB');
      expect((await store.verifierKeys()).map((k) => k.verifierKey).sort()).toEqual([
        'phiguard.local/audit+01234567+AAAA',
        'phiguard.local/audit+89abcdef+BBBB',
      ]);
      expect(await store.getCursor('siem-1')).toBe(0);
      await store.setCursor('siem-1', 12);
      await store.setCursor('siem-1', 17);
      await store.setCursor('siem-2', 3);
      expect(await store.getCursor('siem-1')).toBe(17);
      expect(await store.getCursor('siem-2')).toBe(3);
      await expect(store.setCursor('siem-1', -1)).rejects.toThrow(TypeError);
    });
  });
}
