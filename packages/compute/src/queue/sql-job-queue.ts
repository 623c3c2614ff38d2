import { randomBytes } from 'node:crypto';
import { isReferenceToken, type AuditRecorder, type AuditResource, type SqlDriver, type SqlQuery } from '@phiguard/audit';
import { newId, type Clock } from '@phiguard/core';
import { ComputeError } from '../compute-error.ts';
import type { CancelResult, CompleteResult, FailResult, HeartbeatResult, JobLease, JobState, QueuedJob, SweepReport } from './queued-job.ts';

interface JobRow {
  id: string;
  queue: string;
  spec: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  timeout_ms: string | number;
  lease_token: string | null;
  lease_owner: string | null;
  lease_expires_ms: string | number | null;
  started_ms: string | number | null;
  completed_token: string | null;
  result: string | null;
  reason: string | null;
  created_ms: string | number;
  updated_ms: string | number;
}

export interface SubmitInput {
  readonly spec: unknown;
  readonly queue?: string;
  /** Leases granted before the job is given up (lost agents, failures); default 3. */
  readonly maxAttempts?: number;
  /** Run time allowed per attempt; default one hour. */
  readonly timeoutMs?: number;
  readonly id?: string;
}

const QUEUE = /^[a-z][a-z0-9-]{0,31}$/;
const REASON = /^[a-z][a-z0-9.-]{0,63}$/;
const SPEC_LIMIT = 64 * 1024;
const num = (v: string | number | null): number | undefined => (v === null ? undefined : Number(v));

function toJob(r: JobRow): QueuedJob {
  return Object.freeze({
    id: r.id, queue: r.queue, spec: JSON.parse(r.spec) as unknown, state: r.state, attempts: r.attempts, maxAttempts: r.max_attempts,
    timeoutMs: Number(r.timeout_ms), leaseOwner: r.lease_owner ?? undefined, leaseExpiresMs: num(r.lease_expires_ms), startedMs: num(r.started_ms),
    result: r.result === null ? undefined : (JSON.parse(r.result) as unknown), reason: r.reason ?? undefined, createdMs: Number(r.created_ms), updatedMs: Number(r.updated_ms),
  });
}

/**
 * The job queue in PostgreSQL (or PGlite, embedded): a small own implementation rather than
 * pg-boss (docs/compute/placement.md says why). Leases are taken with `SELECT … FOR UPDATE SKIP
 * LOCKED` (concurrent agents on PostgreSQL never get the same job; on PGlite the one connection
 * serializes them). Every lease has a random token that fences heartbeat, complete and fail: an
 * agent that lost its lease (expired, then leased again) cannot complete, and completing twice
 * with the same token is idempotent. Times come from the injected Clock.
 */
export class SqlJobQueue {
  readonly #db: SqlDriver;
  readonly #clock: Clock;
  readonly #audit: AuditRecorder | undefined;

  constructor(db: SqlDriver, clock: Clock, options: { readonly audit?: AuditRecorder } = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#audit = options.audit;
  }

  async submit(input: SubmitInput): Promise<QueuedJob> {
    const queue = input.queue ?? 'default';
    const maxAttempts = input.maxAttempts ?? 3;
    const timeoutMs = input.timeoutMs ?? 3_600_000;
    if (!QUEUE.test(queue)) throw new ComputeError('invalid-input', 'queue must be a lower-case code', { place: { field: 'queue' } });
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw new ComputeError('invalid-input', 'maxAttempts must be 1..100', { place: { field: 'maxAttempts' } });
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new ComputeError('invalid-input', 'timeoutMs must be a positive integer', { place: { field: 'timeoutMs' } });
    // JSON.stringify(undefined) is undefined at run time, whatever its declared type says.
    const spec = JSON.stringify(input.spec) as string | undefined;
    if (spec === undefined || spec.length > SPEC_LIMIT) throw new ComputeError('invalid-input', 'spec must be JSON of at most 64 KiB', { place: { field: 'spec' } });
    const id = input.id ?? newId('job', this.#clock);
    if (!isReferenceToken(id)) throw new ComputeError('invalid-input', 'job id must be a PHIGuard id', { place: { field: 'id' } });
    const now = this.#clock.nowMs();
    const rows = await this.#db.query<JobRow>(
      `INSERT INTO compute_jobs (id, queue, spec, state, max_attempts, timeout_ms, created_ms, updated_ms)
       VALUES ($1, $2, $3, 'queued', $4, $5, $6, $6) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, queue, spec, maxAttempts, timeoutMs, now],
    );
    const row = rows[0];
    if (row === undefined) throw new ComputeError('conflict', 'a job with this id exists', { place: { field: 'id' } });
    await this.#record('job.submit', 'success', id, undefined, { queue, maxAttempts });
    return toJob(row);
  }

  /**
   * The oldest ready job of `queue` (queued, or leased with an expired lease), leased to `owner` for
   * `leaseMs`; with `jobId`, that job only (an agent started for one job, e.g. a Kubernetes Job's pod).
   */
  async lease(input: { readonly owner: string; readonly leaseMs: number; readonly queue?: string; readonly jobId?: string }): Promise<JobLease | undefined> {
    if (!isReferenceToken(input.owner)) throw new TypeError('owner must be a node or agent id');
    if (!Number.isSafeInteger(input.leaseMs) || input.leaseMs <= 0) throw new TypeError('leaseMs must be a positive integer');
    const queue = input.queue ?? 'default';
    const now = this.#clock.nowMs();
    const given: { failed: string[]; lease?: JobLease; requeued?: boolean } = { failed: [] };
    await this.#db.transaction(async (q) => {
      for (;;) {
        const [row] = await q<JobRow>(
          `SELECT * FROM compute_jobs WHERE queue = $1 AND (state = 'queued' OR (state = 'leased' AND lease_expires_ms < $2)) AND ($3::text IS NULL OR id = $3)
           ORDER BY created_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [queue, now, input.jobId ?? null],
        );
        if (row === undefined) return;
        if (row.state === 'leased' && row.attempts >= row.max_attempts) {
          await q(`UPDATE compute_jobs SET state = 'failed', reason = 'lease-expired', lease_token = NULL, updated_ms = $2 WHERE id = $1`, [row.id, now]);
          given.failed.push(row.id);
          continue;
        }
        const token = randomBytes(24).toString('base64url');
        const expires = now + input.leaseMs;
        await q(
          `UPDATE compute_jobs SET state = 'leased', attempts = attempts + 1, lease_token = $2, lease_owner = $3, lease_expires_ms = $4, started_ms = $5, updated_ms = $5 WHERE id = $1`,
          [row.id, token, input.owner, expires, now],
        );
        given.requeued = row.state === 'leased';
        given.lease = Object.freeze({ jobId: row.id, token, attempt: row.attempts + 1, spec: JSON.parse(row.spec) as unknown, leaseExpiresMs: expires, deadlineMs: now + Number(row.timeout_ms) });
        return;
      }
    });
    for (const id of given.failed) await this.#record('job.fail', 'failure', id, undefined, {}, 'lease-expired');
    const lease = given.lease;
    if (lease !== undefined) await this.#record('job.lease', 'success', lease.jobId, input.owner, { attempt: lease.attempt, requeued: given.requeued === true });
    return lease;
  }

  /** Extends the lease; tells the agent to stop when the job was cancelled, timed out or leased to another. */
  async heartbeat(jobId: string, token: string, leaseMs: number): Promise<HeartbeatResult> {
    if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) throw new TypeError('leaseMs must be a positive integer');
    const now = this.#clock.nowMs();
    const outcome = await this.#db.transaction(async (q): Promise<HeartbeatResult> => {
      const [row] = await q<JobRow>('SELECT * FROM compute_jobs WHERE id = $1 FOR UPDATE', [jobId]);
      if (row?.lease_token !== token) return row?.state === 'cancelled' && row.completed_token === token ? 'cancelled' : 'lost';
      if (row.state !== 'leased') return 'lost';
      if (now > Number(row.started_ms) + Number(row.timeout_ms)) {
        await q(`UPDATE compute_jobs SET state = 'timed-out', reason = 'timeout', completed_token = lease_token, lease_token = NULL, updated_ms = $2 WHERE id = $1`, [jobId, now]);
        return 'timed-out';
      }
      await q('UPDATE compute_jobs SET lease_expires_ms = $2, updated_ms = $3 WHERE id = $1', [jobId, now + leaseMs, now]);
      return 'ok';
    });
    if (outcome === 'timed-out') await this.#record('job.timeout', 'failure', jobId, undefined, {}, 'timeout');
    return outcome;
  }

  /**
   * Completes the attempt holding `token`. Idempotent: the same token again is `already-completed`.
   * A token whose lease was taken over (expired, leased again) is `lost`: the job completes once.
   */
  async complete(jobId: string, token: string, result: unknown = null): Promise<CompleteResult> {
    const json = JSON.stringify(result);
    if (json.length > SPEC_LIMIT) throw new ComputeError('invalid-input', 'result must be JSON of at most 64 KiB', { place: { field: 'result' } });
    const now = this.#clock.nowMs();
    const outcome = await this.#db.transaction(async (q): Promise<CompleteResult> => {
      const done = await q(
        `UPDATE compute_jobs SET state = 'succeeded', completed_token = lease_token, lease_token = NULL, result = $3, updated_ms = $4
         WHERE id = $1 AND state = 'leased' AND lease_token = $2 RETURNING id`,
        [jobId, token, json, now],
      );
      if (done.length === 1) return 'completed';
      const [row] = await q<JobRow>('SELECT state, completed_token FROM compute_jobs WHERE id = $1', [jobId]);
      return row?.state === 'succeeded' && row.completed_token === token ? 'already-completed' : 'lost';
    });
    if (outcome === 'completed') await this.#record('job.complete', 'success', jobId, undefined, {});
    return outcome;
  }

  /** Fails the attempt: requeued while attempts remain and `retry` is not false, else failed for good. */
  async fail(jobId: string, token: string, reason: string, options: { readonly retry?: boolean } = {}): Promise<FailResult> {
    if (!REASON.test(reason)) throw new TypeError('reason must be a lower-case code');
    const now = this.#clock.nowMs();
    const outcome = await this.#db.transaction(async (q): Promise<FailResult> => {
      const [row] = await q<JobRow>('SELECT * FROM compute_jobs WHERE id = $1 FOR UPDATE', [jobId]);
      if (row?.state !== 'leased' || row.lease_token !== token) return 'lost';
      const retry = options.retry !== false && row.attempts < row.max_attempts;
      await q(
        `UPDATE compute_jobs SET state = $2, reason = $3, lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = $4 WHERE id = $1`,
        [jobId, retry ? 'queued' : 'failed', reason, now],
      );
      return retry ? 'requeued' : 'failed';
    });
    if (outcome !== 'lost') await this.#record(outcome === 'requeued' ? 'job.requeue' : 'job.fail', 'failure', jobId, undefined, {}, reason);
    return outcome;
  }

  /**
   * Fails attempt `attempt` from outside the agent (the Kubernetes dispatch saw its pod die: never
   * scheduled, image not pulled, OOM-killed). Without a lease token, the attempt number fences it:
   * a job still `queued` at `attempt - 1` (its agent never leased) counts the attempt; a job
   * `leased` at `attempt` loses that lease. Requeued while attempts remain and `retry` is not
   * false, else failed. Anything else (the agent reported, a later attempt runs) is `lost`, so a
   * replayed observation never fails an attempt twice.
   */
  async failAttempt(jobId: string, attempt: number, reason: string, options: { readonly retry?: boolean } = {}): Promise<FailResult> {
    if (!REASON.test(reason)) throw new TypeError('reason must be a lower-case code');
    if (!Number.isInteger(attempt) || attempt < 1) throw new TypeError('attempt must be a positive integer');
    const now = this.#clock.nowMs();
    const outcome = await this.#db.transaction(async (q): Promise<FailResult> => {
      const [row] = await q<JobRow>('SELECT * FROM compute_jobs WHERE id = $1 FOR UPDATE', [jobId]);
      const unleased = row?.state === 'queued' && row.attempts === attempt - 1;
      const leased = row?.state === 'leased' && row.attempts === attempt;
      if (row === undefined || (!unleased && !leased)) return 'lost';
      const retry = options.retry !== false && attempt < row.max_attempts;
      await q(
        `UPDATE compute_jobs SET state = $2, attempts = $3, reason = $4, lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = $5 WHERE id = $1`,
        [jobId, retry ? 'queued' : 'failed', attempt, reason, now],
      );
      return retry ? 'requeued' : 'failed';
    });
    if (outcome !== 'lost') await this.#record(outcome === 'requeued' ? 'job.requeue' : 'job.fail', 'failure', jobId, undefined, { attempt }, reason);
    return outcome;
  }

  /** Jobs in `state` (oldest first, at most `limit`): what a dispatcher has to act on after a restart. */
  async listByState(state: JobState, options: { readonly queue?: string; readonly limit?: number } = {}): Promise<QueuedJob[]> {
    const limit = options.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new TypeError('limit must be 1..10000');
    const rows = await this.#db.query<JobRow>('SELECT * FROM compute_jobs WHERE queue = $1 AND state = $2 ORDER BY created_ms, id LIMIT $3', [options.queue ?? 'default', state, limit]);
    return rows.map(toJob);
  }

  /** Cancels a job that is not final; a running agent learns it at its next heartbeat. */
  async cancel(jobId: string): Promise<CancelResult> {
    const now = this.#clock.nowMs();
    const outcome = await this.#db.transaction(async (q): Promise<CancelResult> => {
      const [row] = await q<JobRow>('SELECT * FROM compute_jobs WHERE id = $1 FOR UPDATE', [jobId]);
      if (row === undefined) return 'not-found';
      if (row.state !== 'queued' && row.state !== 'leased') return 'already-final';
      // The running attempt's token is kept in completed_token so its heartbeat can say `cancelled`.
      await q(`UPDATE compute_jobs SET state = 'cancelled', reason = 'cancelled', completed_token = lease_token, lease_token = NULL, updated_ms = $2 WHERE id = $1`, [jobId, now]);
      return 'cancelled';
    });
    if (outcome === 'cancelled') await this.#record('job.cancel', 'success', jobId, undefined, {});
    return outcome;
  }

  /** Requeues jobs whose lease expired (or fails them when out of attempts) and times out attempts past their deadline. */
  async sweep(): Promise<SweepReport> {
    const now = this.#clock.nowMs();
    const report = await this.#db.transaction(async (q: SqlQuery) => {
      const timedOut = await q<{ id: string }>(
        `UPDATE compute_jobs SET state = 'timed-out', reason = 'timeout', completed_token = lease_token, lease_token = NULL, updated_ms = $1
         WHERE state = 'leased' AND started_ms + timeout_ms < $1 RETURNING id`,
        [now],
      );
      const failed = await q<{ id: string }>(
        `UPDATE compute_jobs SET state = 'failed', reason = 'lease-expired', lease_token = NULL, updated_ms = $1
         WHERE state = 'leased' AND lease_expires_ms < $1 AND attempts >= max_attempts RETURNING id`,
        [now],
      );
      const requeued = await q<{ id: string }>(
        `UPDATE compute_jobs SET state = 'queued', reason = 'lease-expired', lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = $1
         WHERE state = 'leased' AND lease_expires_ms < $1 RETURNING id`,
        [now],
      );
      return { timedOut, failed, requeued };
    });
    for (const r of report.timedOut) await this.#record('job.timeout', 'failure', r.id, undefined, {}, 'timeout');
    for (const r of report.failed) await this.#record('job.fail', 'failure', r.id, undefined, {}, 'lease-expired');
    for (const r of report.requeued) await this.#record('job.requeue', 'failure', r.id, undefined, {}, 'lease-expired');
    return Object.freeze({ requeued: report.requeued.length, failed: report.failed.length, timedOut: report.timedOut.length });
  }

  /**
   * The job as seen by the attempt holding `token`: its current lease, or the last attempt of a
   * job that ended under it (succeeded, cancelled, timed out), so that attempt can still report
   * logs. `undefined` for any other token.
   */
  async attemptOf(jobId: string, token: string): Promise<(QueuedJob & { readonly current: boolean }) | undefined> {
    const [row] = await this.#db.query<JobRow>('SELECT * FROM compute_jobs WHERE id = $1 AND (lease_token = $2 OR completed_token = $2)', [jobId, token]);
    return row === undefined ? undefined : Object.freeze({ ...toJob(row), current: row.lease_token === token && row.state === 'leased' });
  }

  async get(jobId: string): Promise<QueuedJob | undefined> {
    const [row] = await this.#db.query<JobRow>('SELECT * FROM compute_jobs WHERE id = $1', [jobId]);
    return row === undefined ? undefined : toJob(row);
  }

  async #record(action: string, outcome: 'success' | 'failure', jobId: string, owner: string | undefined, details: Record<string, string | number | boolean>, reason?: string): Promise<void> {
    if (this.#audit === undefined) return;
    const resources: AuditResource[] = [{ type: 'job', id: jobId }];
    if (owner !== undefined) resources.push({ type: 'node', id: owner });
    await this.#audit.record({ actor: { kind: 'system', id: 'job-queue' }, action, outcome, resources, details, ...(reason === undefined ? {} : { reason }) });
  }
}
