import { describe, expect, it } from 'vitest';
import { describeLedgerStoreContract } from './ledger-store.contract.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import { openSqlLedgerStore } from './sql-ledger-store.ts';

describeLedgerStoreContract('PGlite (in memory)', {
  open: async () => {
    const driver = await openPgliteDriver(undefined);
    return { store: await openSqlLedgerStore(driver), sql: (statement, params) => driver.query(statement, params) };
  },
});

describe('PGlite append literals', () => {
  it('stores quotes, backslashes, non-ASCII text and arbitrary leaf bytes exactly (simple-protocol literals)', async () => {
    const driver = await openPgliteDriver(undefined);
    const store = await openSqlLedgerStore(driver);
    const leaf = Buffer.from([0, 1, 0x27, 0x5c, 0xff, 0x0a, 0x80]);
    const actorId = `o'brien\\x27 \\' ''— é`;
    const note = `origin\n0\nroot'\\\n\n— it's a note \\x00\n`;
    await store.append({ fromSize: 0, entries: [], tiles: [], checkpoint: { size: 0, note: 'empty' } });
    await store.append({
      fromSize: 0,
      entries: [{ index: 0, leaf, actorId, action: "a.b'c", time: '2026-03-01T10:00:00.000Z', resources: [{ type: "t'x", id: 'i\\d' }] }],
      tiles: [{ level: 0, index: 0, hashes: Buffer.alloc(32, 0x5c) }],
      checkpoint: { size: 1, note },
    });
    expect(await store.getEntry(0)).toEqual(leaf);
    expect(await store.getTile(0, 0)).toEqual(Buffer.alloc(32, 0x5c));
    expect(await store.readCheckpoint()).toBe(note);
    expect(await store.search({ actorId, action: "a.b'c", resourceType: "t'x", resourceId: 'i\\d' })).toHaveLength(1);
    await store.close();
  });
});
