/** Job states (issue 8, job lifecycle). `succeeded`, `failed`, `cancelled` and `timed-out` are final. */
export const JOB_STATES = ['queued', 'leased', 'succeeded', 'failed', 'cancelled', 'timed-out'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled', 'timed-out']);

/** A job as the queue holds it. `spec` and `result` are small JSON documents of ids and codes, never data. */
export interface QueuedJob {
  readonly id: string;
  readonly queue: string;
  readonly spec: unknown;
  readonly state: JobState;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly leaseOwner: string | undefined;
  readonly leaseExpiresMs: number | undefined;
  readonly startedMs: number | undefined;
  readonly result: unknown;
  readonly reason: string | undefined;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** What an agent holds while it runs a job. The token fences every later call: a stale lease cannot complete. */
export interface JobLease {
  readonly jobId: string;
  readonly token: string;
  readonly attempt: number;
  readonly spec: unknown;
  readonly leaseExpiresMs: number;
  /** The attempt must finish by then (timeout), heartbeat or not. */
  readonly deadlineMs: number;
}

export type HeartbeatResult = 'ok' | 'lost' | 'cancelled' | 'timed-out';
export type CompleteResult = 'completed' | 'already-completed' | 'lost';
export type FailResult = 'requeued' | 'failed' | 'lost';
export type CancelResult = 'cancelled' | 'already-final' | 'not-found';

export interface SweepReport {
  readonly requeued: number;
  readonly failed: number;
  readonly timedOut: number;
}
