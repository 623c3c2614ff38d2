import type { SqlDriver } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlJobQueue } from './sql-job-queue.ts';

// failAttempt is how the Kubernetes dispatch reports a pod that died before its agent could:
// without a lease token, only the attempt number fences it. A model of the rule, checked against
// the real queue (PGlite) over random interleavings with an agent's leases and replays.
let db: SqlDriver;
beforeAll(async () => {
  db = await openComputeDatabase({ kind: 'pglite' });
});
afterAll(async () => {
  await db.close();
});

type Op = { kind: 'lease' } | { kind: 'fail-attempt'; attempt: number; retry: boolean } | { kind: 'agent-fail' };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'lease' as const }),
  fc.constant({ kind: 'agent-fail' as const }),
  fc.record({ kind: fc.constant('fail-attempt' as const), attempt: fc.integer({ min: 1, max: 5 }), retry: fc.boolean() }),
);

describe('SqlJobQueue.failAttempt', () => {
  it('fails exactly the queued-next or leased-current attempt, once; anything else is lost and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 12 }), async (maxAttempts, ops) => {
        await db.query('TRUNCATE compute_jobs');
        const queue = new SqlJobQueue(db, new ManualClock(Date.UTC(2026, 10, 24)));
        const job = await queue.submit({ spec: { classification: 'none' }, maxAttempts });
        const model = { state: 'queued' as string, attempts: 0 };
        let token: string | undefined;
        for (const o of ops) {
          if (o.kind === 'lease') {
            const lease = await queue.lease({ owner: 'node_01kaw3xk5qv8r9d2m7h4n6p0tc', leaseMs: 60_000, jobId: job.id });
            if (model.state === 'queued') {
              model.state = 'leased';
              model.attempts++;
              token = lease?.token;
              expect(lease?.attempt).toBe(model.attempts);
            } else expect(lease).toBeUndefined();
          } else if (o.kind === 'agent-fail') {
            if (token === undefined) continue;
            const result = await queue.fail(job.id, token, 'exit-1');
            if (model.state === 'leased') model.state = model.attempts < maxAttempts ? 'queued' : 'failed';
            else expect(result).toBe('lost');
            token = undefined;
          } else {
            const applies = (model.state === 'queued' && model.attempts === o.attempt - 1) || (model.state === 'leased' && model.attempts === o.attempt);
            const result = await queue.failAttempt(job.id, o.attempt, 'k8s.oom-killed', { retry: o.retry });
            if (!applies) expect(result).toBe('lost');
            else {
              model.attempts = o.attempt;
              model.state = o.retry && o.attempt < maxAttempts ? 'queued' : 'failed';
              expect(result).toBe(model.state === 'queued' ? 'requeued' : 'failed');
              // The same report again (a replayed observation) changes nothing.
              expect(await queue.failAttempt(job.id, o.attempt, 'k8s.oom-killed', { retry: o.retry })).toBe('lost');
              token = undefined;
            }
          }
          const row = await queue.get(job.id);
          expect({ state: row?.state, attempts: row?.attempts }).toEqual(model);
          expect(model.attempts).toBeLessThanOrEqual(maxAttempts);
        }
      }),
      { numRuns: 40 },
    );
  });
});
