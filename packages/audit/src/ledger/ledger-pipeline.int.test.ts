// Pipelined group commit (ledger.ts #commitBatch): batch N+1 is signed and queued while batch N
// commits. When N's transaction fails, N's callers are rejected, N+1 (refused by the store's size
// check only because N is missing) is retried once on the tree rebuilt from the store, and the
// store and the signed tree stay equal to the reference root (RFC 9162 §2.1.1). PGlite and PostgreSQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../checkpoint/checkpoint.ts';
import { openNote, parseVerifierKey } from '../checkpoint/signed-note.ts';
import { leafHash } from '../merkle/hashes.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { openPgDriver } from '../store/pg-driver.ts';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '../store/pg-test-schema.ts';
import { openPgliteDriver } from '../store/pglite-driver.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { openSqlLedgerStore } from '../store/sql-ledger-store.ts';
import { parseLeaf } from './audit-leaf.ts';
import { Ledger } from './ledger.ts';
import { LedgerError } from './ledger-error.ts';
import { testEvent } from './ledger-test-fixtures.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

const ORIGIN = 'pipeline.phiguard/audit';
const keys = loadOrCreateSignerKeys(path.join(mkdtempSync(path.join(tmpdir(), 'ledger-pipeline-')), 'home'), ORIGIN);
const verifier = parseVerifierKey(keys.verifierKey);
const TABLES = 'ledger_entries, ledger_tiles, ledger_checkpoints, ledger_verifier_keys, ledger_sink_cursors, ledger_schema_migrations';
const schema = randomTestSchema('ledger_pipeline');
// 200 events recorded at once with maxBatchSize 64 and an idle pipeline: batches 0-63 and 64-127
// start together (two in flight), then 128-191 and 192-199.
const EVENTS = 200;
const BATCH = 64;

const backends: { name: string; open: () => Promise<SqlDriver>; cleanup: () => Promise<void> }[] = [
  { name: 'PGlite', open: () => openPgliteDriver(undefined), cleanup: () => Promise.resolve() },
  { name: 'PostgreSQL', open: () => openPgDriver({ url: TEST_PG_URL, schema }), cleanup: () => dropTestSchema(schema) },
];

describe.each(backends)('pipelined batches on $name', ({ open, cleanup }) => {
  let shared: SqlDriver;
  beforeAll(async () => {
    shared = await open();
  });
  afterAll(async () => {
    await shared.close();
    await cleanup();
  });

  async function fresh(): Promise<Ledger> {
    await shared.query(`DROP TABLE IF EXISTS ${TABLES}`);
    const store = await openSqlLedgerStore({ ...shared, close: () => Promise.resolve() });
    expect(store.appendConcurrency).toBe(2);
    const ledger = await Ledger.open({ store, signer: checkpointSigner(keys), clock: new ManualClock(Date.UTC(2026, 5, 1)), origin: ORIGIN, maxBatchSize: BATCH, maxBatchDelayMs: 0 });
    await ledger.record(testEvent(1000));
    // A real constraint of the database makes a batch holding a key.destroy event fail.
    await shared.query(`ALTER TABLE ledger_entries ADD CONSTRAINT no_destroy CHECK (action <> 'key.destroy')`);
    return ledger;
  }

  async function expectConsistent(ledger: Ledger, committedCounts: readonly number[]): Promise<void> {
    const rows = await shared.query<{ leaf: Uint8Array }>('SELECT leaf FROM ledger_entries ORDER BY idx');
    const leaves = rows.map((r) => Buffer.from(r.leaf));
    expect(leaves.map((l) => parseLeaf(l).details?.count)).toEqual([1000, ...committedCounts]);
    expect(ledger.head.size).toBe(leaves.length);
    const cp = parseCheckpoint(openNote(ledger.head.note, [verifier]).text);
    expect(cp.root).toEqual(rootFromLeafHashes(leaves.map((l) => leafHash(l))));
    const max = await shared.query<{ size: number }>('SELECT max(size)::int AS size FROM ledger_checkpoints');
    expect(max[0]?.size).toBe(leaves.length);
  }

  const eventOf = (i: number, bad: ReadonlySet<number>): ReturnType<typeof testEvent> =>
    bad.has(i) ? { ...testEvent(i), action: 'key.destroy' } : testEvent(i);

  it('rejects the failed batch, retries the next one that was already queued, and stays consistent', async () => {
    const ledger = await fresh();
    const bad = new Set([5]);
    const settled = await Promise.allSettled(Array.from({ length: EVENTS }, (_, i) => ledger.record(eventOf(i, bad))));
    const rejected = settled.flatMap((s, i) => (s.status === 'rejected' ? [i] : []));
    expect(rejected).toEqual(Array.from({ length: BATCH }, (_, i) => i));
    expect(((settled[0] as PromiseRejectedResult).reason as LedgerError).code).toBe('storage');
    const receipts = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    // The retried batch took the failed batch's place: indexes stay consecutive from 1.
    expect(receipts.map((r) => r.index)).toEqual(Array.from({ length: EVENTS - BATCH }, (_, i) => 1 + i));
    for (const r of receipts) expect(r.checkpointSize).toBeGreaterThan(r.index);
    await expectConsistent(ledger, Array.from({ length: EVENTS - BATCH }, (_, i) => BATCH + i));
    // And it carries on.
    expect(await ledger.record(testEvent(5000))).toEqual({ index: 1 + EVENTS - BATCH, checkpointSize: 2 + EVENTS - BATCH });
    await ledger.close();
  });

  it('rejects the next batch too when its retry fails for its own reason', async () => {
    const ledger = await fresh();
    const bad = new Set([5, BATCH + 7]);
    const settled = await Promise.allSettled(Array.from({ length: EVENTS }, (_, i) => ledger.record(eventOf(i, bad))));
    const rejected = settled.flatMap((s, i) => (s.status === 'rejected' ? [i] : []));
    expect(rejected).toEqual(Array.from({ length: 2 * BATCH }, (_, i) => i));
    for (const s of settled.slice(0, 2 * BATCH)) expect(((s as PromiseRejectedResult).reason as LedgerError).code).toBe('storage');
    await expectConsistent(ledger, Array.from({ length: EVENTS - 2 * BATCH }, (_, i) => 2 * BATCH + i));
    await ledger.close();
  });
});
