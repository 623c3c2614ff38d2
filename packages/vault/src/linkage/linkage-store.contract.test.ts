import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from '@phiguard/audit';
import { openVaultDatabase } from '../sql/open-vault-database.ts';
import { SqlLinkageStore } from '../sql/sql-linkage-store.ts';
import type { LinkageStore, ReidRequest, ReidState, ReidStatus } from './linkage-store.ts';
import { MemoryLinkageStore } from './memory-linkage-store.ts';

// The in-memory store (demos) keeps the SQL store's contract: random sequences of requests and
// transitions give the same answers from both.
let driver: SqlDriver;
beforeAll(async () => {
  driver = await openVaultDatabase({ kind: 'pglite' });
});
afterAll(async () => {
  await driver.close();
});

const STATUSES: readonly ReidStatus[] = ['open', 'approved', 'denied', 'revealed', 'withdrawn'];
const STATES: readonly ReidState[] = [...STATUSES, 'expired', 'approval-expired'];
const PEOPLE = ['usr_01jxk3q8y9a2b3c4d5e6f7g8h9', 'usr_01jxk3q8y9a2b3c4d5e6f7g8ha'];
type Op = { kind: 'create'; requester: number; at: number } | { kind: 'move'; target: number; from: number; to: number; by: number; note: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), requester: fc.nat(1), at: fc.nat(1000) }),
  fc.record({ kind: fc.constant('move' as const), target: fc.nat(20), from: fc.nat(4), to: fc.nat(4), by: fc.nat(1), note: fc.boolean() }),
);

async function play(store: LinkageStore, ops: readonly Op[], run: number, wanted: readonly ReidState[], cutoff: number | undefined, approvalCutoff: number | undefined): Promise<unknown[]> {
  const ids: string[] = [];
  const out: unknown[] = [];
  for (const [i, o] of ops.entries()) {
    if (o.kind === 'create') {
      const id = `reid_${String(run).padStart(6, '0')}${String(i).padStart(20, '0')}`;
      const r: ReidRequest = { id, requester: PEOPLE[o.requester] ?? '', purpose: 'HRESCH', tokens: [`LNK-${'A'.repeat(32)}`], createdMs: o.at, status: 'open', decidedBy: null, decidedMs: null, reason: `why ${String(i)}`, decisionReason: null, revealedMs: null, withdrawnMs: null };
      await store.createRequest(r);
      ids.push(id);
    } else {
      const id = ids[o.target % Math.max(1, ids.length)] ?? 'reid_none';
      out.push(await store.transition(id, STATUSES[o.from] ?? 'open', STATUSES[o.to] ?? 'open', PEOPLE[o.by] ?? '', 5000 + i, o.note ? 'a note' : undefined));
    }
  }
  for (const id of ids) out.push(await store.getRequest(id));
  out.push(await store.listRequests({ limit: 1000 }).then((l) => l.filter((r) => ids.includes(r.id)).map((r) => r.id)));
  out.push(await store.listRequests({ requester: PEOPLE[0] ?? '', statuses: ['open', 'approved'], limit: 1000 }).then((l) => l.filter((r) => ids.includes(r.id)).map((r) => r.id)));
  // States, with open requests split at a lapse time (created before it: `expired`) and approved
  // ones at a reveal-window time (decided before it: `approval-expired`).
  const cutoffs = { ...(cutoff === undefined ? {} : { expiredBeforeMs: cutoff }), ...(approvalCutoff === undefined ? {} : { approvalExpiredBeforeMs: approvalCutoff }) };
  out.push(await store.listRequests({ statuses: wanted, ...cutoffs, limit: 1000 }).then((l) => l.filter((r) => ids.includes(r.id)).map((r) => r.id)));
  return out;
}

describe('MemoryLinkageStore keeps the SqlLinkageStore contract', () => {
  it('same answers for random request/transition sequences', async () => {
    const sql = new SqlLinkageStore(driver);
    let run = 0;
    await fc.assert(
      // Transitions happen at 5000 + their index: approval cutoffs around there split them.
      fc.asyncProperty(fc.array(op, { maxLength: 25, size: 'max' }), fc.subarray([...STATES]), fc.option(fc.nat(1000), { nil: undefined }), fc.option(fc.integer({ min: 4995, max: 5030 }), { nil: undefined }), async (ops, wanted, cutoff, approvalCutoff) => {
        run++;
        expect(await play(new MemoryLinkageStore(), ops, run, wanted, cutoff, approvalCutoff)).toEqual(await play(sql, ops, run, wanted, cutoff, approvalCutoff));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the first token key and the first entry of a token', async () => {
    const m = new MemoryLinkageStore();
    const first = await m.putTokenKey({ provider: 'p', keyId: 'k', version: 1, wrapped: new Uint8Array([1]) });
    expect(await m.putTokenKey({ provider: 'p', keyId: 'other', version: 2, wrapped: new Uint8Array([2]) })).toEqual(first);
    await m.putEntries([{ token: 't', sealed: new Uint8Array([1]) }]);
    await m.putEntries([{ token: 't', sealed: new Uint8Array([2]) }]);
    expect(await m.getEntry('t')).toEqual(new Uint8Array([1]));
  });
});
