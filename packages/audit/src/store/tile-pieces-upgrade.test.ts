import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVerifierKey } from '../checkpoint/signed-note.ts';
import { Ledger } from '../ledger/ledger.ts';
import { testEvent } from '../ledger/ledger-test-fixtures.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from '../ledger/signer-key-file.ts';
import { verifyLog } from '../tiles/verify-log.ts';
import { LEDGER_MIGRATIONS } from './ledger-migrations.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import type { SqlDriver } from './sql-driver.ts';
import { openSqlLedgerStore } from './sql-ledger-store.ts';

const ORIGIN = 'upgrade.phiguard/audit';
const keys = loadOrCreateSignerKeys(path.join(mkdtempSync(path.join(tmpdir(), 'ledger-upgrade-')), 'home'), ORIGIN);
const verifiers = [parseVerifierKey(keys.verifierKey)];

describe('migration 5 on a ledger written before it (one row per tile, rewritten on every commit)', () => {
  let db: SqlDriver | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('keeps every tile readable and the log verifiable, and grows the old rows by pieces', async () => {
    db = await openPgliteDriver(undefined);
    const shared: SqlDriver = { ...db, close: () => Promise.resolve() };
    const open = async (): Promise<Ledger> =>
      Ledger.open({ store: await openSqlLedgerStore(shared), signer: checkpointSigner(keys), clock: new ManualClock(Date.UTC(2026, 4, 1)), origin: ORIGIN, maxBatchSize: 64, maxBatchDelayMs: 0 });
    const record = async (ledger: Ledger, from: number, waves: number, per: number): Promise<void> => {
      for (let w = 0; w < waves; w++) await Promise.all(Array.from({ length: per }, (_, i) => ledger.record(testEvent(from + w * per + i))));
    };
    let ledger = await open();
    await record(ledger, 0, 30, 10); // 300 entries: level-0 tile 0 full, tile 1 of 44 hashes in pieces
    await ledger.close();

    // Turn the tables back into what migrations 1–4 left: each tile one row, holding all its hashes.
    const tiles = await db.query<{ level: number; idx: string | number }>('SELECT DISTINCT level, idx FROM ledger_tiles');
    const store = await openSqlLedgerStore(shared);
    const whole = await Promise.all(tiles.map(async (t) => ({ level: t.level, idx: Number(t.idx), hashes: (await store.getTile(t.level, Number(t.idx))) ?? Buffer.alloc(0) })));
    await db.query('DROP FUNCTION ledger_append_pieces');
    await db.query('DELETE FROM ledger_tiles');
    await db.query('ALTER TABLE ledger_tiles DROP CONSTRAINT ledger_tiles_pkey');
    await db.query('ALTER TABLE ledger_tiles DROP COLUMN start');
    await db.query('ALTER TABLE ledger_tiles ADD PRIMARY KEY (level, idx)');
    for (const t of whole) await db.query('INSERT INTO ledger_tiles (level, idx, hashes) VALUES ($1, $2, $3)', [t.level, t.idx, t.hashes]);
    for (const statement of LEDGER_MIGRATIONS[1] ?? []) await db.query(statement);
    for (const statement of LEDGER_MIGRATIONS[3] ?? []) await db.query(statement);
    await db.query('DELETE FROM ledger_schema_migrations WHERE version = 5');
    const before = await db.query<{ level: number; idx: string | number }>('SELECT level, idx FROM ledger_tiles ORDER BY level, idx');
    expect(before.map((r) => `${String(r.level)}/${String(r.idx)}`)).toEqual(['0/0', '0/1', '1/0']);

    // Opening runs migration 5; the old rows become the pieces at start 0.
    ledger = await open();
    await record(ledger, 300, 4, 10); // tile 1 grows from 44 to 84 hashes, by pieces
    await ledger.close();
    const pieces = await db.query<{ start: number }>('SELECT start FROM ledger_tiles WHERE level = 0 AND idx = 1 ORDER BY start');
    expect(pieces.map((r) => r.start)).toEqual([0, 44, 54, 64, 74]);
    const after = await openSqlLedgerStore(shared);
    expect((await after.getTile(0, 1))?.length).toBe(84 * 32);
    expect(await verifyLog(after, verifiers, { origin: ORIGIN })).toMatchObject({ ok: true, size: 340 });
  });
});
