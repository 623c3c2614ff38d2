import type { AuditRecorder } from '@phiguard/audit';
import type { Clock } from '@phiguard/core';
import { ComputeError } from '../compute-error.ts';
import type { KubernetesJobObservation } from '../kubernetes/job-observation.ts';
import type { JobWatch } from '../kubernetes/job-watch.ts';
import type { KubernetesJobBackend } from '../kubernetes/kubernetes-job-backend.ts';
import { FINAL_STATES } from '../queue/queued-job.ts';
import type { SqlJobQueue } from '../queue/sql-job-queue.ts';

/** What the dispatch needs of the backend (the real one, or a backend over another cluster client). */
export type KubernetesJobs = Pick<KubernetesJobBackend, 'submit' | 'list' | 'cancel' | 'watch'>;

export interface KubernetesDispatchOptions {
  readonly backend: KubernetesJobs;
  readonly queue: Pick<SqlJobQueue, 'listByState' | 'get' | 'failAttempt'>;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  /** The PHIGuard queue whose jobs go to the cluster. Default `default`. */
  readonly queueName?: string;
  /** A pod not running by then (never scheduled, image not pulled) fails its attempt. Default 10 min. */
  readonly startDeadlineMs?: number;
  /** Pause between passes over the queue (submit new attempts, apply PHIGuard cancels). Default 2 s. */
  readonly intervalMs?: number;
  /** Told when a pass fails (a code, never a message); the next pass tries again. */
  readonly onError?: (code: string) => void;
}

/** One attempt's Kubernetes Job as the dispatch last saw it. */
interface Tracked {
  readonly jobId: string;
  readonly attempt: number;
  phase: KubernetesJobObservation['phase'];
  reason: string;
  pendingSinceMs: number;
  /** Its terminal outcome went to the queue and the ledger (or the attempt was failed for its start deadline). */
  handled: boolean;
}

const ACTOR = { kind: 'system', id: 'kubernetes-dispatch' } as const;
const TERMINAL = new Set(['succeeded', 'failed', 'timed-out', 'deleted']);
// Manifest problems that no retry can fix: the attempt fails for good.
const PERMANENT = new Set(['not-confidential', 'invalid-input']);
// Reasons a Job gives when its pod's own reason is not known (yet).
const JOB_LEVEL_REASONS = new Set(['backoff-limit-exceeded', 'pod-failure-policy', 'unknown']);

function errorCode(error: unknown): string {
  return error instanceof ComputeError ? error.code : 'unknown';
}

/**
 * Runs queued jobs as Kubernetes Jobs (issue 8): each attempt of a queued job becomes one Job whose
 * pod's agent is pinned to that job (`PHIGUARD_AGENT_JOB_ID`); the queue stays the source of truth.
 * What the agent cannot report itself goes back to the queue through `failAttempt` (fenced by the
 * attempt number, so a replayed observation never fails an attempt twice): a pod never started
 * within `startDeadlineMs` (its Job is deleted), a failed pod (OOM-killed, evicted, crashed), the
 * Job's deadline. A job cancelled (or ended) in PHIGuard has its Jobs deleted. On start it re-lists
 * the Jobs by label, so a restarted control plane creates no duplicates (Job names are per job and
 * attempt; a create that races one finds it). Ledger: `k8s.job.create`/`k8s.job.delete` (the
 * backend) and `k8s.job.outcome` here, ids and codes only.
 */
export class KubernetesDispatch {
  readonly #o: KubernetesDispatchOptions;
  readonly #tracked = new Map<string, Tracked>();
  #chain: Promise<void> = Promise.resolve();
  #watch: JobWatch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: KubernetesDispatchOptions) {
    const deadline = options.startDeadlineMs ?? 600_000;
    if (!Number.isSafeInteger(deadline) || deadline < 1) throw new ComputeError('invalid-input', 'startDeadlineMs must be a positive integer', { place: { field: 'startDeadlineMs' } });
    this.#o = options;
  }

  /** Re-lists the cluster's Jobs, starts the watch, runs a first pass, then one every `intervalMs`. */
  async start(): Promise<void> {
    for (const o of await this.#o.backend.list()) this.#observe(o, true);
    this.#watch = await this.#o.backend.watch((o) => { this.#observe(o); }, { onError: (code) => this.#o.onError?.(code) });
    await this.sync();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#watch?.stop();
    await this.#chain;
  }

  /** One pass (also what the timer runs): start deadlines, PHIGuard cancels, Jobs for new attempts. */
  sync(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#expireAndCancel();
      await this.#submitQueued();
    });
  }

  /** The attempts the dispatch is following: ids, phases and reason codes (status pages, tests). */
  attempts(): { readonly jobId: string; readonly attempt: number; readonly phase: string; readonly reason: string; readonly handled: boolean }[] {
    return [...this.#tracked.values()].map((t) => ({ jobId: t.jobId, attempt: t.attempt, phase: t.phase, reason: t.reason, handled: t.handled }));
  }

  /** Resolves when every observation and pass handed to the dispatch so far is done (tests, shutdown). */
  settled(): Promise<void> {
    return this.#enqueue(() => Promise.resolve());
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.sync().finally(() => { this.#schedule(); });
    }, this.#o.intervalMs ?? 2000);
    this.#timer.unref();
  }

  // Observations and passes run one at a time, in order: no two of them act on one attempt at once.
  #enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(work).catch((error: unknown) => { this.#o.onError?.(errorCode(error)); });
    this.#chain = next;
    return next;
  }

  /** `listed`: found by the re-list on start (its outcome may have been handled before a restart). */
  #observe(o: KubernetesJobObservation, listed = false): void {
    const key = `${o.jobId}#${String(o.attempt)}`;
    let t = this.#tracked.get(key);
    // A Job this dispatch no longer tracks going away (deleted by it, or after its TTL) says nothing new.
    if (t === undefined && o.phase === 'deleted') return;
    if (t === undefined) {
      t = { jobId: o.jobId, attempt: o.attempt, phase: o.phase, reason: o.reason, pendingSinceMs: this.#o.clock.nowMs(), handled: false };
      this.#tracked.set(key, t);
    }
    t.phase = o.phase;
    t.reason = o.reason;
    if (!TERMINAL.has(o.phase) || t.handled) return;
    // The Job's Failed condition can reach its cache before the pod that says why (OOMKilled):
    // a failure without a pod reason waits for the next pass, unless the refined reason comes first.
    if (o.phase === 'failed' && JOB_LEVEL_REASONS.has(o.reason) && !listed) return;
    t.handled = true;
    const tracked = t;
    void this.#enqueue(() => this.#outcome(tracked, o, listed));
  }

  /** A finished Job: the queue learns what the agent could not report; the ledger gets the outcome. */
  async #outcome(t: Tracked, o: KubernetesJobObservation, listed: boolean): Promise<void> {
    try {
      // The agent reports success itself; a Job deleted because PHIGuard cancelled it changes nothing.
      const queue = o.phase === 'succeeded' ? 'reported-by-agent'
        : await this.#o.queue.failAttempt(t.jobId, t.attempt, `k8s.${o.reason}`, { retry: o.phase !== 'timed-out' });
      // After a restart the re-list shows finished Jobs again: ledger only what changed the queue now.
      if (listed && (queue === 'lost' || queue === 'reported-by-agent')) return;
      await this.#record('k8s.job.outcome', t.jobId, { attempt: t.attempt, phase: o.phase, queue }, o.phase === 'succeeded' ? 'success' : 'failure', o.reason);
    } catch (error) {
      // The next pass tries again (failAttempt is fenced: a retry after a lost reply changes nothing).
      t.handled = false;
      throw error;
    }
  }

  async #expireAndCancel(): Promise<void> {
    const now = this.#o.clock.nowMs();
    const deadline = this.#o.startDeadlineMs ?? 600_000;
    for (const [key, t] of this.#tracked) {
      const job = await this.#o.queue.get(t.jobId);
      if (t.handled) {
        // Nothing more can happen to this attempt once the queue moved past it.
        if (job === undefined || FINAL_STATES.has(job.state) || job.attempts >= t.attempt) this.#tracked.delete(key);
        continue;
      }
      if (TERMINAL.has(t.phase)) {
        // Left by #observe (a failure waiting for its pod's reason) or an outcome that could not be
        // recorded last time: the pass uses what is known by now.
        t.handled = true;
        await this.#outcome(t, { jobId: t.jobId, attempt: t.attempt, name: '', phase: t.phase, reason: t.reason, state: 'failed' }, false);
        continue;
      }
      if (job === undefined || FINAL_STATES.has(job.state)) {
        // Cancelled, timed out or failed in PHIGuard: the pod must not keep running (or start).
        t.handled = true;
        if (job?.state !== 'succeeded') await this.#o.backend.cancel(t.jobId, { reason: job === undefined ? 'job-missing' : `job-${job.state}` });
        continue;
      }
      if (job.attempts > t.attempt || (job.state === 'queued' && job.attempts >= t.attempt)) {
        // The queue is past this attempt (its agent reported a failure, its lease expired): a pod
        // still pending or polling for it would only hold a GPU until its deadline.
        t.handled = true;
        await this.#o.backend.cancel(t.jobId, { attempt: t.attempt, reason: 'attempt-superseded' });
        continue;
      }
      if (t.phase !== 'pending' || now - t.pendingSinceMs < deadline) continue;
      const queue = await this.#o.queue.failAttempt(t.jobId, t.attempt, `k8s.${t.reason}`, { retry: true });
      if (queue === 'lost') {
        // The agent leased just now (the watch has not said `running` yet): leave the pod alone.
        t.pendingSinceMs = now;
        continue;
      }
      t.handled = true;
      await this.#record('k8s.job.outcome', t.jobId, { attempt: t.attempt, phase: 'pending', queue }, 'failure', `start-deadline.${t.reason}`);
      // Should this delete fail, the Job's activeDeadlineSeconds and TTL still remove it.
      await this.#o.backend.cancel(t.jobId, { attempt: t.attempt, reason: 'start-deadline' });
    }
  }

  async #submitQueued(): Promise<void> {
    for (const job of await this.#o.queue.listByState('queued', { queue: this.#o.queueName ?? 'default' })) {
      const attempt = job.attempts + 1;
      if (this.#tracked.has(`${job.id}#${String(attempt)}`)) continue;
      try {
        await this.#o.backend.submit({ jobId: job.id, attempt, timeoutMs: job.timeoutMs, spec: job.spec });
      } catch (error) {
        if (!(error instanceof ComputeError) || !PERMANENT.has(error.code)) throw error;
        // The backend ledgered the refusal; the attempt fails for good (a retry builds the same manifest).
        await this.#o.queue.failAttempt(job.id, attempt, `k8s.${error.code}`, { retry: false });
        continue;
      }
      // The watch may have seen it already (its add event can beat this line).
      if (!this.#tracked.has(`${job.id}#${String(attempt)}`))
        this.#tracked.set(`${job.id}#${String(attempt)}`, { jobId: job.id, attempt, phase: 'pending', reason: 'created', pendingSinceMs: this.#o.clock.nowMs(), handled: false });
    }
  }

  async #record(action: string, jobId: string, details: Record<string, string | number | boolean>, outcome: 'success' | 'failure', reason: string): Promise<void> {
    await this.#o.audit.record({ actor: ACTOR, action, outcome, resources: [{ type: 'job', id: jobId }], details, reason });
  }
}
