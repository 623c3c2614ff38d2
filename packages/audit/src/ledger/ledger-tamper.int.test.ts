// Tamper evidence (HIPAA §164.312(c)(1)-(2)): any change to a stored row — entry bytes, a
// deleted row, two rows swapped, a tile hash — is found by verifyLog, which names the first bad
// leaf index; resuming the ledger on a changed right-edge tile is refused. PGlite and PostgreSQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseVerifierKey } from '../checkpoint/signed-note.ts';
import { openPgDriver } from '../store/pg-driver.ts';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '../store/pg-test-schema.ts';
import { openPgliteDriver } from '../store/pglite-driver.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { openSqlLedgerStore } from '../store/sql-ledger-store.ts';
import { verifyLog } from '../tiles/verify-log.ts';
import { Ledger } from './ledger.ts';
import { testEvent } from './ledger-test-fixtures.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

const ORIGIN = 'tamper.phiguard/audit';
const SIZE = 600; // level-0 tiles 0 and 1 full, tile 2 partial; a partial level-1 tile
const keys = loadOrCreateSignerKeys(path.join(mkdtempSync(path.join(tmpdir(), 'ledger-tamper-')), 'home'), ORIGIN);
const verifiers = [parseVerifierKey(keys.verifierKey)];
const TABLES = 'ledger_entries, ledger_tiles, ledger_checkpoints, ledger_verifier_keys, ledger_sink_cursors, ledger_schema_migrations';
const schema = randomTestSchema('ledger_tamper');

const backends: { name: string; open: () => Promise<SqlDriver>; cleanup: () => Promise<void> }[] = [
  { name: 'PGlite', open: () => openPgliteDriver(undefined), cleanup: () => Promise.resolve() },
  { name: 'PostgreSQL', open: () => openPgDriver({ url: TEST_PG_URL, schema }), cleanup: () => dropTestSchema(schema) },
];

function openLedger(store: LedgerStore): Promise<Ledger> {
  return Ledger.open({ store, signer: checkpointSigner(keys), clock: new ManualClock(Date.UTC(2026, 4, 1)), origin: ORIGIN, maxBatchSize: 256, maxBatchDelayMs: 0 });
}

describe.each(backends)('tampering with $name rows', ({ open, cleanup }) => {
  let shared: SqlDriver;
  let store: LedgerStore;
  const sql = (statement: string): Promise<unknown> => shared.query(statement);

  beforeAll(async () => {
    shared = await open();
  });
  afterAll(async () => {
    await shared.close();
    await cleanup();
  });
  beforeEach(async () => {
    await sql(`DROP TABLE IF EXISTS ${TABLES}`);
    const shareable: SqlDriver = { ...shared, close: () => Promise.resolve() };
    const ledger = await openLedger(await openSqlLedgerStore(shareable));
    await Promise.all(Array.from({ length: SIZE }, (_, i) => ledger.record(testEvent(i))));
    await ledger.close(); // closes the ledger's store object, not the shared database
    store = await openSqlLedgerStore(shareable);
    const fresh = await verifyLog(store, verifiers, { origin: ORIGIN });
    expect(fresh.ok ? fresh : JSON.stringify(fresh)).toMatchObject({ ok: true, size: SIZE });
  });

  it('finds changed entry bytes at their index', async () => {
    await sql(`UPDATE ledger_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"success"', '"failure"'), 'UTF8') WHERE idx = 345`);
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: false, firstBadIndex: 345, reason: 'entry-hash-mismatch' });
  });

  it('finds a deleted row at its index', async () => {
    await sql('DELETE FROM ledger_entries WHERE idx = 100');
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: false, firstBadIndex: 100 });
  });

  it('finds two swapped rows at the first of them', async () => {
    await sql('UPDATE ledger_entries SET idx = -1 WHERE idx = 200');
    await sql('UPDATE ledger_entries SET idx = 200 WHERE idx = 201');
    await sql('UPDATE ledger_entries SET idx = 201 WHERE idx = -1');
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: false, firstBadIndex: 200, reason: 'entry-hash-mismatch' });
  });

  it('finds a changed tile hash at the first leaf it covers', async () => {
    // Hash 10 of level-0 tile 1 is leaf 266's hash; hash 1 of the level-1 tile covers leaves 256..511.
    await sql(`UPDATE ledger_tiles SET hashes = overlay(hashes placing '\\xffff'::bytea from 321 for 2) WHERE level = 0 AND idx = 1`);
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: false, firstBadIndex: 266, reason: 'entry-hash-mismatch' });
    // Byte 40 of the level-1 tile, in whichever stored piece holds it (a partial tile is stored as pieces).
    await sql(
      `UPDATE ledger_tiles SET hashes = overlay(hashes placing '\\x00'::bytea from 40 - start * 32 for 1) WHERE level = 1 AND idx = 0 AND start * 32 < 40 AND start * 32 + length(hashes) >= 40`,
    );
    await sql(`DELETE FROM ledger_tiles WHERE level = 0 AND idx = 1`);
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: false, firstBadIndex: 256, reason: 'missing-tile' });
  });

  it('finds a deleted piece of a partial tile (tiles grow by appended pieces)', async () => {
    // Three more group commits of 5: the partial level-0 tile 2 (88 hashes) gains pieces at 88, 93 and 98.
    const ledger = await openLedger(store);
    for (let wave = 0; wave < 3; wave++) await Promise.all(Array.from({ length: 5 }, (_, i) => ledger.record(testEvent(SIZE + wave * 5 + i))));
    await ledger.close();
    store = await openSqlLedgerStore({ ...shared, close: () => Promise.resolve() });
    const pieces = await shared.query<{ start: number }>('SELECT start FROM ledger_tiles WHERE level = 0 AND idx = 2 ORDER BY start');
    expect(pieces.map((r) => r.start)).toEqual([0, 88, 93, 98]);
    expect((await store.getTile(0, 2))?.length).toBe(103 * 32);
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: true, size: SIZE + 15 });
    await sql('DELETE FROM ledger_tiles WHERE level = 0 AND idx = 2 AND start = 93');
    const result = await verifyLog(store, verifiers);
    expect(result.ok).toBe(false);
    expect(result.ok ? -1 : result.firstBadIndex).toBeGreaterThanOrEqual(2 * 256);
  });

  it('refuses to resume on a changed right-edge tile', async () => {
    await sql(`UPDATE ledger_tiles SET hashes = overlay(hashes placing '\\x00'::bytea from 1 for 1) WHERE level = 0 AND idx = 2`);
    await expect(openLedger(store)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('finds any single changed byte of any entry at that entry (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: SIZE - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (index, at, xor) => {
        const rows = await shared.query<{ leaf: Uint8Array }>(`SELECT leaf FROM ledger_entries WHERE idx = ${String(index)}`);
        const original = Buffer.from(rows[0]?.leaf ?? []);
        const changed = Buffer.from(original);
        const pos = at % changed.length;
        changed[pos] = (changed[pos] ?? 0) ^ xor;
        await sql(`UPDATE ledger_entries SET leaf = '\\x${changed.toString('hex')}'::bytea WHERE idx = ${String(index)}`);
        try {
          expect(await verifyLog(store, verifiers)).toMatchObject({ ok: false, firstBadIndex: index });
        } finally {
          await sql(`UPDATE ledger_entries SET leaf = '\\x${original.toString('hex')}'::bytea WHERE idx = ${String(index)}`);
        }
      }),
      { numRuns: 25 },
    );
    expect(await verifyLog(store, verifiers)).toMatchObject({ ok: true });
  });
});
