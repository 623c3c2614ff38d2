// Property (issue 8: "a lost agent's job is requeued and completes once"): under any interleaving
// of leases, clock jumps, heartbeats, completions, failures and sweeps, a job is completed at most
// once, only with the token of its latest lease, and a succeeded job was completed exactly once.
import fc from 'fast-check';
import { ManualClock } from '@phiguard/core';
import type { SqlDriver } from '@phiguard/audit';
import { afterAll, describe, expect, it } from 'vitest';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlJobQueue } from './sql-job-queue.ts';

let shared: Promise<SqlDriver> | undefined;
afterAll(async () => {
  if (shared !== undefined) await (await shared).close();
});

type Op =
  | { kind: 'lease'; agent: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'heartbeat' | 'complete' | 'fail'; pick: number }
  | { kind: 'sweep' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('lease' as const), agent: fc.nat(3) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2500 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constantFrom('heartbeat' as const, 'fail' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('sweep' as const) }), weight: 1 },
);
// The lost-agent case, always tried first: lease, lease expires, another lease, the old holder completes.
const LOST_AGENT: [number, Op[]] = [1, [{ kind: 'lease', agent: 0 }, { kind: 'advance', ms: 1001 }, { kind: 'lease', agent: 1 }, { kind: 'complete', pick: 0 }, { kind: 'complete', pick: 1 }]];

describe('SqlJobQueue fencing (PGlite)', () => {
  it('completes each job at most once, only by its latest lease', async () => {
    shared ??= openComputeDatabase({ kind: 'pglite' });
    const db = await shared;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(opArb, { minLength: 1, maxLength: 25 }), async (jobs, ops) => {
        await db.query('TRUNCATE compute_jobs');
        const clock = new ManualClock(Date.parse('2026-11-24T00:00:00Z'));
        const queue = new SqlJobQueue(db, clock);
        for (let i = 0; i < jobs; i++) await queue.submit({ spec: { i }, maxAttempts: 3, timeoutMs: 4000 });
        const tokens: { jobId: string; token: string }[] = [];
        const latest = new Map<string, string>();
        const completions = new Map<string, number>();
        for (const op of ops) {
          if (op.kind === 'lease') {
            const lease = await queue.lease({ owner: `agent-${String(op.agent)}`, leaseMs: 1000 });
            if (lease !== undefined) {
              tokens.push({ jobId: lease.jobId, token: lease.token });
              latest.set(lease.jobId, lease.token);
            }
          } else if (op.kind === 'advance') clock.advance(op.ms);
          else if (op.kind === 'sweep') await queue.sweep();
          else {
            const held = tokens[op.pick % Math.max(1, tokens.length)];
            if (held === undefined) continue;
            if (op.kind === 'heartbeat') await queue.heartbeat(held.jobId, held.token, 1000);
            else if (op.kind === 'fail') await queue.fail(held.jobId, held.token, 'exit-code-1');
            else {
              const result = await queue.complete(held.jobId, held.token);
              if (result === 'completed') {
                expect(held.token).toBe(latest.get(held.jobId));
                completions.set(held.jobId, (completions.get(held.jobId) ?? 0) + 1);
              }
              if (result === 'already-completed') expect(completions.get(held.jobId)).toBe(1);
            }
          }
        }
        for (const [jobId, n] of completions) {
          expect(n).toBe(1);
          expect((await queue.get(jobId))?.state).toBe('succeeded');
        }
        const rows = await db.query<{ id: string; state: string }>('SELECT id, state FROM compute_jobs');
        for (const r of rows) if (r.state === 'succeeded') expect(completions.get(r.id)).toBe(1);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 80), examples: [LOST_AGENT] },
    );
  });
});
