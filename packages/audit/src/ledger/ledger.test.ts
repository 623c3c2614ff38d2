import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalJson, ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../checkpoint/checkpoint.ts';
import { openNote, parseVerifierKey } from '../checkpoint/signed-note.ts';
import { AuditEventError } from '../events/validate-event.ts';
import { leafHash } from '../merkle/hashes.ts';
import { verifyInclusion } from '../merkle/proofs.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { openPgliteDriver } from '../store/pglite-driver.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { openSqlLedgerStore } from '../store/sql-ledger-store.ts';
import { Ledger, type LedgerOptions } from './ledger.ts';
import { LedgerError } from './ledger-error.ts';
import { eventsWithSeededIdentifiers, SEEDED_IDENTIFIERS, testEvent } from './ledger-test-fixtures.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

const ORIGIN = 'test.phiguard/audit';
const home = mkdtempSync(path.join(tmpdir(), 'ledger-test-'));
const keys = loadOrCreateSignerKeys(home, ORIGIN);
const verifier = parseVerifierKey(keys.verifierKey);
// One embedded database for the file (PGlite takes seconds to start); each test starts from empty tables.
let shared: SqlDriver | undefined;

async function openFresh(overrides: Partial<LedgerOptions> = {}): Promise<{ ledger: Ledger; driver: SqlDriver; clock: ManualClock }> {
  shared ??= await openPgliteDriver(undefined);
  await shared.query(
    'DROP TABLE IF EXISTS ledger_entries, ledger_tiles, ledger_checkpoints, ledger_verifier_keys, ledger_sink_cursors, ledger_schema_migrations',
  );
  const driver: SqlDriver = { ...shared, close: () => Promise.resolve() };
  const store = await openSqlLedgerStore(driver);
  const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
  const ledger = await Ledger.open({ store, signer: checkpointSigner(keys), clock, origin: ORIGIN, maxBatchSize: 16, maxBatchDelayMs: 0, ...overrides });
  return { ledger, driver, clock };
}

async function allLeaves(driver: SqlDriver): Promise<Buffer[]> {
  const rows = await driver.query<{ leaf: Uint8Array }>('SELECT leaf FROM ledger_entries ORDER BY idx');
  return rows.map((r) => Buffer.from(r.leaf));
}

afterAll(async () => {
  await shared?.close();
});

describe('Ledger', () => {
  it('starts with a signed checkpoint of the empty tree', async () => {
    const { ledger } = await openFresh();
    const cp = parseCheckpoint(openNote(ledger.head.note, [verifier]).text);
    expect(cp).toMatchObject({ origin: ORIGIN, size: 0 });
    expect(cp.root).toEqual(rootFromLeafHashes([]));
    await ledger.close();
  });

  it('records a leaf of canonical JSON with v:1 and the clock time, and resolves after the signed checkpoint', async () => {
    const { ledger, driver, clock } = await openFresh();
    clock.advance(1234);
    const receipt = await ledger.record(testEvent(3));
    expect(receipt).toEqual({ index: 0, checkpointSize: 1 });
    const [leaf] = await allLeaves(driver);
    expect(leaf?.toString()).toBe(canonicalJson({ ...testEvent(3), v: 1, time: '2026-03-01T10:00:01.234Z' }));
    const cp = parseCheckpoint(openNote(ledger.head.note, [verifier]).text);
    expect(cp.size).toBe(1);
    expect(cp.root).toEqual(rootFromLeafHashes([leafHash(leaf ?? Buffer.alloc(0))]));
    await ledger.close();
  });

  it('group-commits concurrent records: distinct consecutive indexes, fewer checkpoints than events', async () => {
    const { ledger, driver } = await openFresh({ maxBatchSize: 8 });
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.record(testEvent(i))));
    expect(receipts.map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const r of receipts) expect(r.checkpointSize).toBeGreaterThan(r.index);
    const checkpoints = await driver.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_checkpoints');
    expect(checkpoints[0]?.n).toBeLessThanOrEqual(1 + Math.ceil(50 / 8) + 1);
    const leaves = await allLeaves(driver);
    expect(parseCheckpoint(openNote(ledger.head.note, [verifier]).text).root).toEqual(rootFromLeafHashes(leaves.map((l) => leafHash(l))));
    await ledger.close();
  });

  it('refuses a bad event alone: typed error naming the field, no PHI, good neighbours committed', async () => {
    const { ledger, driver } = await openFresh();
    const bad = eventsWithSeededIdentifiers();
    const settled = await Promise.allSettled([ledger.record(testEvent(0)), ...bad.map((e) => ledger.record(e as never)), ledger.record(testEvent(1))]);
    expect(settled.at(0)?.status).toBe('fulfilled');
    expect(settled.at(-1)?.status).toBe('fulfilled');
    for (const s of settled.slice(1, -1)) {
      expect(s.status).toBe('rejected');
      const error = (s as PromiseRejectedResult).reason as AuditEventError;
      expect(error).toBeInstanceOf(AuditEventError);
      expect(error.code).toBe('invalid-event');
      for (const seed of SEEDED_IDENTIFIERS) expect(`${error.message} ${error.describe()} ${String(error.stack)}`).not.toContain(seed);
    }
    const leaves = (await allLeaves(driver)).map((l) => l.toString());
    expect(leaves.length).toBe(2);
    for (const seed of SEEDED_IDENTIFIERS) for (const leaf of leaves) expect(leaf).not.toContain(seed);
    await ledger.close();
  });

  it('fails a whole batch when its transaction fails, leaves the store unchanged, and carries on', async () => {
    const { ledger, driver } = await openFresh({ maxBatchSize: 64 });
    await ledger.record(testEvent(1));
    const before = ledger.head;
    // A real constraint of the database makes the batch holding a key.destroy event fail.
    await driver.query(`ALTER TABLE ledger_entries ADD CONSTRAINT no_destroy CHECK (action <> 'key.destroy')`);
    const batch = [testEvent(2), { ...testEvent(4), action: 'key.destroy' }, testEvent(5)];
    const settled = await Promise.allSettled(batch.map((e) => ledger.record(e)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(((settled[0] as PromiseRejectedResult).reason as LedgerError).code).toBe('storage');
    expect((await allLeaves(driver)).length).toBe(1);
    const cps = await driver.query<{ size: number }>('SELECT max(size)::int AS size FROM ledger_checkpoints');
    expect(cps[0]?.size).toBe(1);
    expect(ledger.head).toBe(before);
    const after = await ledger.record(testEvent(6));
    expect(after).toEqual({ index: 1, checkpointSize: 2 });
    const leaves = await allLeaves(driver);
    expect(parseCheckpoint(openNote(ledger.head.note, [verifier]).text).root).toEqual(rootFromLeafHashes(leaves.map((l) => leafHash(l))));
    await ledger.close();
  });

  it('searches and proves inclusion against the latest checkpoint', async () => {
    const { ledger } = await openFresh();
    await Promise.all(Array.from({ length: 40 }, (_, i) => ledger.record(testEvent(i))));
    const reads = await ledger.search({ action: 'dataset.read', limit: 5 });
    expect(reads.map((h) => h.index)).toEqual([0, 3, 6, 9, 12]);
    expect(reads[1]?.event).toMatchObject({ ...testEvent(3), v: 1 });
    expect(Object.isFrozen(reads[1]?.event.actor)).toBe(true);
    for (const index of [0, 17, 39]) {
      const p = await ledger.proof(index);
      expect(p.event).toMatchObject(testEvent(index));
      expect(verifyInclusion(p.leafHash, index, p.size, p.proof, p.root)).toBe(true);
      expect(parseCheckpoint(openNote(p.checkpoint, [verifier]).text).root).toEqual(p.root);
    }
    await expect(ledger.proof(40)).rejects.toMatchObject({ code: 'not-found' });
    await ledger.close();
  });

  it('flushes pending records on close and refuses records after', async () => {
    const { ledger } = await openFresh({ maxBatchDelayMs: 60_000, maxBatchSize: 1000 });
    const pending = [ledger.record(testEvent(1)), ledger.record(testEvent(2))];
    await ledger.close();
    expect((await Promise.all(pending)).map((r) => r.index)).toEqual([0, 1]);
    await expect(ledger.record(testEvent(3))).rejects.toMatchObject({ code: 'closed' });
  });

  it('keeps the tree equal to the reference root for any mix of good and bad events (property)', async () => {
    const { ledger, driver } = await openFresh({ maxBatchSize: 5 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 100 })), { minLength: 1, maxLength: 20 }), async (plan) => {
        const start = ledger.head.size;
        const settled = await Promise.allSettled(plan.map(([good, n]) => ledger.record(good ? testEvent(n) : ({ ...testEvent(n), outcome: 'maybe' } as never))));
        const ok = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.index);
        expect(ok).toEqual(Array.from({ length: plan.filter(([g]) => g).length }, (_, i) => start + i));
        const leaves = await allLeaves(driver);
        expect(leaves.length).toBe(ledger.head.size);
        expect(ledger.head.root).toEqual(rootFromLeafHashes(leaves.map((l) => leafHash(l))));
      }),
      { numRuns: 100 },
    );
    await ledger.close();
  });
});
