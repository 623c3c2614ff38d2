import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { JobState } from '../queue/queued-job.ts';
import { LABEL_ATTEMPT, LABEL_JOB_ID } from './job-labels.ts';

/** Where a Kubernetes Job stands, as PHIGuard reads it. */
export const KUBERNETES_PHASES = ['pending', 'running', 'succeeded', 'failed', 'timed-out', 'deleted'] as const;
export type KubernetesPhase = (typeof KUBERNETES_PHASES)[number];

/** One observation of a PHIGuard Kubernetes Job. `reason` is a lower-case code, never a message from the cluster. */
export interface KubernetesJobObservation {
  readonly jobId: string;
  readonly attempt: number;
  readonly name: string;
  readonly phase: KubernetesPhase;
  readonly reason: string;
  /** The PHIGuard queue state this phase corresponds to. */
  readonly state: JobState;
}

const STATE_OF: Readonly<Record<KubernetesPhase, JobState>> = {
  pending: 'queued',
  running: 'leased',
  succeeded: 'succeeded',
  failed: 'failed',
  'timed-out': 'timed-out',
  deleted: 'cancelled',
};

/** `BackoffLimitExceeded` → `backoff-limit-exceeded`; anything not a plain identifier → `unknown`. */
export function reasonCode(reason: string | undefined): string {
  if (reason === undefined || !/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(reason)) return 'unknown';
  return reason.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

function conditionTrue(job: V1Job, type: string): { reason?: string } | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

// Why a pod has not started yet, from its conditions and container states (kubelet reasons).
function pendingReason(pods: readonly V1Pod[]): string {
  for (const pod of pods) {
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') return reasonCode(scheduled.reason ?? 'Unschedulable');
    for (const status of pod.status?.containerStatuses ?? []) {
      const waiting = status.state?.waiting?.reason;
      if (waiting !== undefined) return reasonCode(waiting);
    }
  }
  return pods.length === 0 ? 'created' : 'starting';
}

// Why a pod failed: OOMKilled, Evicted, DeadlineExceeded, or the agent's exit code.
function podFailureReason(pods: readonly V1Pod[]): string | undefined {
  for (const pod of pods) {
    if (pod.status?.phase !== 'Failed') continue;
    if (pod.status.reason !== undefined) return reasonCode(pod.status.reason);
    for (const status of pod.status.containerStatuses ?? []) {
      const terminated = status.state?.terminated;
      if (terminated === undefined) continue;
      if (terminated.reason !== undefined && terminated.reason !== 'Error') return reasonCode(terminated.reason);
      return `exit-${String(terminated.exitCode)}`;
    }
  }
  return undefined;
}

/**
 * Maps a Job's conditions (batch/v1 JobStatus: `Complete`, `SuccessCriteriaMet`, `Failed`,
 * `FailureTarget`, `Suspended`) and its pods' conditions and container states to a phase and the
 * PHIGuard job state. `deleted` is a Job being or having been deleted (cancel). Returns
 * `undefined` for an object that is not a PHIGuard Job (no job-id label).
 */
export function observeJob(job: V1Job, pods: readonly V1Pod[] = [], deleted = false): KubernetesJobObservation | undefined {
  const labels = job.metadata?.labels ?? {};
  const jobId = labels[LABEL_JOB_ID];
  const attempt = Number(labels[LABEL_ATTEMPT] ?? '1');
  if (jobId === undefined || job.metadata?.name === undefined) return undefined;
  const done = (phase: KubernetesPhase, reason: string): KubernetesJobObservation =>
    Object.freeze({ jobId, attempt: Number.isInteger(attempt) ? attempt : 1, name: job.metadata?.name ?? '', phase, reason, state: STATE_OF[phase] });
  const complete = conditionTrue(job, 'Complete') ?? conditionTrue(job, 'SuccessCriteriaMet');
  if (complete !== undefined) return done('succeeded', 'completed');
  // FailureTarget (Kubernetes 1.31+) is set as soon as the Job is doomed, before its pods are gone.
  const failed = conditionTrue(job, 'Failed') ?? conditionTrue(job, 'FailureTarget');
  if (failed !== undefined) {
    if (failed.reason === 'DeadlineExceeded') return done('timed-out', 'deadline-exceeded');
    return done('failed', podFailureReason(pods) ?? reasonCode(failed.reason));
  }
  if (deleted || job.metadata.deletionTimestamp !== undefined) return done('deleted', 'deleted');
  if (conditionTrue(job, 'Suspended') !== undefined) return done('pending', 'suspended');
  const running = (job.status?.ready ?? 0) > 0 || pods.some((p) => p.status?.phase === 'Running');
  if (running) return done('running', 'running');
  return done('pending', pendingReason(pods));
}
