import { spawn } from 'node:child_process';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { SqlJobQueue } from './sql-job-queue.ts';
import type { SqlDriver } from '@phiguard/audit';

export interface QueueBackend {
  /** A fresh, empty database. */
  open(): Promise<{ readonly db: SqlDriver; close(): Promise<void> }>;
  /** For the kill -9 test: child argv for the same database, and how to reopen it in this process after the child died. */
  crash(): Promise<{ readonly db: SqlDriver; closeBeforeChild(): Promise<void>; childArgs: readonly string[]; reopen(): Promise<SqlDriver>; close(): Promise<void> }>;
}

const CHILD = path.join(import.meta.dirname, 'testing', 'lease-holder-child.ts');
const T0 = Date.parse('2026-11-24T00:00:00Z');

/** Starts the lost agent, waits until it holds the lease, then kills it with SIGKILL. */
function leaseThenKill(args: readonly string[]): Promise<{ jobId: string; token: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let held: { jobId: string; token: string } | undefined;
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^leased (\S+) (\S+)$/m.exec(out);
      if (m !== null && held === undefined) {
        held = { jobId: m[1] ?? '', token: m[2] ?? '' };
        proc.kill('SIGKILL');
      }
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && held !== undefined) resolve(held);
      else reject(new Error(`child ended without a lease: ${out} ${err}`));
    });
  });
}

/** The same queue contract for PGlite and PostgreSQL (ARCHITECTURE §3.8). */
export function describeJobQueueContract(name: string, backend: QueueBackend): void {
  describe(`SqlJobQueue contract (${name})`, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    const start = async (audit?: MemoryAuditRecorder) => {
      const opened = await backend.open();
      close = () => opened.close();
      const clock = new ManualClock(T0);
      return { clock, queue: new SqlJobQueue(opened.db, clock, audit === undefined ? {} : { audit }) };
    };

    it('submit → lease → heartbeat → complete, idempotent by lease token; every step ledgered', async () => {
      const audit = new MemoryAuditRecorder();
      const { queue, clock } = await start(audit);
      const job = await queue.submit({ spec: { dataset: 'ds_1' } });
      expect(job.state).toBe('queued');
      const lease = await queue.lease({ owner: 'agent-a', leaseMs: 1000 });
      expect(lease).toMatchObject({ jobId: job.id, attempt: 1, spec: { dataset: 'ds_1' } });
      if (lease === undefined) return;
      expect(await queue.lease({ owner: 'agent-b', leaseMs: 1000 })).toBeUndefined();
      clock.advance(900);
      expect(await queue.heartbeat(job.id, lease.token, 1000)).toBe('ok');
      clock.advance(900); // past the first expiry, inside the extended one
      expect(await queue.lease({ owner: 'agent-b', leaseMs: 1000 })).toBeUndefined();
      expect(await queue.complete(job.id, lease.token, { outputs: 'ds_2' })).toBe('completed');
      expect(await queue.complete(job.id, lease.token, { outputs: 'ds_2' })).toBe('already-completed');
      expect(await queue.complete(job.id, 'forged-token')).toBe('lost');
      expect(await queue.get(job.id)).toMatchObject({ state: 'succeeded', attempts: 1, result: { outputs: 'ds_2' } });
      expect(audit.events.map((e) => e.action)).toEqual(['job.submit', 'job.lease', 'job.complete']);
    });

    it('an expired lease is requeued; the lost agent can neither heartbeat nor complete; the job completes once', async () => {
      const { queue, clock } = await start();
      const job = await queue.submit({ spec: {} });
      const lost = await queue.lease({ owner: 'agent-a', leaseMs: 1000 });
      clock.advance(1001);
      const second = await queue.lease({ owner: 'agent-b', leaseMs: 1000 });
      expect(second).toMatchObject({ jobId: job.id, attempt: 2 });
      if (lost === undefined || second === undefined) return;
      expect(second.token).not.toBe(lost.token);
      expect(await queue.heartbeat(job.id, lost.token, 1000)).toBe('lost');
      expect(await queue.complete(job.id, lost.token)).toBe('lost');
      expect(await queue.complete(job.id, second.token)).toBe('completed');
      expect(await queue.complete(job.id, lost.token)).toBe('lost');
      expect(await queue.get(job.id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    });

    it('gives up after maxAttempts, retries failures, cancels, and times out', async () => {
      const { queue, clock } = await start();
      const a = await queue.submit({ spec: {}, maxAttempts: 1 });
      await queue.lease({ owner: 'agent-a', leaseMs: 10 });
      clock.advance(11);
      expect(await queue.sweep()).toEqual({ requeued: 0, failed: 1, timedOut: 0 });
      expect(await queue.get(a.id)).toMatchObject({ state: 'failed', reason: 'lease-expired' });

      const b = await queue.submit({ spec: {}, maxAttempts: 2 });
      const b1 = await queue.lease({ owner: 'agent-a', leaseMs: 1000 });
      expect(await queue.fail(b.id, b1?.token ?? '', 'exit-code-1')).toBe('requeued');
      const b2 = await queue.lease({ owner: 'agent-a', leaseMs: 1000 });
      expect(b2?.attempt).toBe(2);
      expect(await queue.fail(b.id, b2?.token ?? '', 'exit-code-1')).toBe('failed');

      const c = await queue.submit({ spec: {} });
      expect(await queue.cancel(c.id)).toBe('cancelled');
      expect(await queue.lease({ owner: 'agent-a', leaseMs: 1000 })).toBeUndefined();
      const d = await queue.submit({ spec: {} });
      const d1 = await queue.lease({ owner: 'agent-a', leaseMs: 1000 });
      expect(await queue.cancel(d.id)).toBe('cancelled');
      expect(await queue.heartbeat(d.id, d1?.token ?? '', 1000)).toBe('cancelled');
      expect(await queue.complete(d.id, d1?.token ?? '')).toBe('lost');
      expect(await queue.cancel(d.id)).toBe('already-final');

      const e = await queue.submit({ spec: {}, timeoutMs: 5000 });
      const e1 = await queue.lease({ owner: 'agent-a', leaseMs: 2000 });
      clock.advance(1500);
      expect(await queue.heartbeat(e.id, e1?.token ?? '', 2000)).toBe('ok');
      clock.advance(1500);
      expect(await queue.heartbeat(e.id, e1?.token ?? '', 2000)).toBe('ok');
      clock.advance(2100);
      expect(await queue.heartbeat(e.id, e1?.token ?? '', 2000)).toBe('timed-out');
      expect(await queue.get(e.id)).toMatchObject({ state: 'timed-out' });
      const f = await queue.submit({ spec: {}, timeoutMs: 100 });
      await queue.lease({ owner: 'agent-a', leaseMs: 10_000 });
      clock.advance(101);
      expect(await queue.sweep()).toEqual({ requeued: 0, failed: 0, timedOut: 1 });
      expect((await queue.get(f.id))?.state).toBe('timed-out');
    });

    it('concurrent agents never lease the same job', async () => {
      const { queue } = await start();
      const ids = new Set<string>();
      for (let i = 0; i < 12; i++) ids.add((await queue.submit({ spec: { i } })).id);
      const leases = await Promise.all(Array.from({ length: 16 }, (_, i) => queue.lease({ owner: `agent-${String(i)}`, leaseMs: 60_000 })));
      const got = leases.filter((l) => l !== undefined).map((l) => l.jobId);
      expect(got.length).toBe(12);
      expect(new Set(got)).toEqual(ids);
    });

    it('kill -9 of an agent holding a lease: the job is requeued and completes exactly once', async () => {
      const crash = await backend.crash();
      close = () => crash.close();
      const submitted = await new SqlJobQueue(crash.db, new ManualClock(Date.now())).submit({ spec: { run: 'x' } });
      await crash.closeBeforeChild();
      const held = await leaseThenKill(crash.childArgs);
      expect(held.jobId).toBe(submitted.id);
      const db = await crash.reopen();
      const clock = new ManualClock(Date.now());
      const queue = new SqlJobQueue(db, clock);
      expect((await queue.get(submitted.id))?.state).toBe('leased'); // the dead agent's lease survived it
      clock.advance(60_000); // well past the child's lease (LEASE_MS in childArgs)
      expect(await queue.sweep()).toMatchObject({ requeued: 1 });
      const again = await queue.lease({ owner: 'agent-b', leaseMs: 60_000 });
      expect(again).toMatchObject({ jobId: submitted.id, attempt: 2 });
      expect(await queue.complete(submitted.id, held.token)).toBe('lost');
      expect(await queue.complete(submitted.id, again?.token ?? '')).toBe('completed');
      expect(await queue.complete(submitted.id, held.token)).toBe('lost');
      expect(await queue.get(submitted.id)).toMatchObject({ state: 'succeeded', attempts: 2 });
      expect(await queue.lease({ owner: 'agent-c', leaseMs: 60_000 })).toBeUndefined();
    });
  });
}
