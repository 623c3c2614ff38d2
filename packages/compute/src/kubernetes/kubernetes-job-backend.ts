import { ApiException, BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import type { AuditRecorder, AuditResource } from '@phiguard/audit';
import { isId } from '@phiguard/core';
import { ComputeError } from '../compute-error.ts';
import { jobSelector, LABEL_ATTEMPT, LABEL_JOB_ID, MANAGED_SELECTOR } from './job-labels.ts';
import { buildJobManifest, type BuiltJob, type KubernetesJobRequest } from './job-manifest.ts';
import { resolveManifestOptions, type JobManifestOptions, type ResolvedManifestOptions } from './job-manifest-options.ts';
import { observeJob, type KubernetesJobObservation } from './job-observation.ts';
import { startJobWatch, type JobWatch, type JobWatchOptions } from './job-watch.ts';

export interface KubernetesJobBackendOptions {
  /** Where the API server is and how to authenticate (`loadFromCluster()` in a pod, `loadFromDefault()` elsewhere). */
  readonly kubeConfig: KubeConfig;
  readonly manifest: JobManifestOptions;
  readonly audit?: AuditRecorder;
}

/** What `submit` did: created the Job, or found the same attempt already there (a retried dispatch). */
export interface SubmittedJob {
  readonly name: string;
  readonly uid: string | undefined;
  readonly created: boolean;
  readonly runtimeClassName: string | undefined;
  readonly insecure: boolean;
}

const ACTOR = { kind: 'system', id: 'kubernetes-backend' } as const;

/** A Kubernetes `Status` reason (`AlreadyExists`, `Forbidden`, `Invalid`) from an API error, as a code. */
function statusReason(error: ApiException<unknown>): string {
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      body = undefined;
    }
  }
  const reason = (body as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && /^[A-Za-z]{1,40}$/.test(reason) ? reason : `http-${String(error.code)}`;
}

function apiError(operation: string, error: unknown): ComputeError {
  if (error instanceof ApiException)
    return new ComputeError('kubernetes-api', `Kubernetes API refused to ${operation}: ${String(error.code)} ${statusReason(error)}`, {
      place: { field: operation },
      hint: error.code === 403 ? 'grant the PHIGuard service account the Role in docs/compute/kubernetes.md' : 'check the API server address and credentials',
    });
  // Network errors (TLS, refused connection): keep only the kind, never a message that might echo data.
  const code = (error as { code?: unknown } | null)?.code;
  return new ComputeError('kubernetes-api', `Kubernetes API unreachable to ${operation}${typeof code === 'string' ? ` (${code})` : ''}`, { place: { field: operation } });
}

/**
 * Runs PHIGuard jobs as Kubernetes Jobs (`@kubernetes/client-node`): one Job per attempt, built by
 * {@link buildJobManifest}, created with strict field validation, watched through informers on
 * Jobs and their pods, deleted (foreground, so pods get SIGTERM and wipe their workspace) on
 * cancel. The job queue stays the source of truth; observations tell the dispatcher what the
 * cluster did (e.g. a pod that was OOM-killed before its agent could report). Every create,
 * refusal and delete is a ledger event with ids and codes only.
 */
export class KubernetesJobBackend {
  readonly #kubeConfig: KubeConfig;
  readonly #options: ResolvedManifestOptions;
  readonly #audit: AuditRecorder | undefined;
  readonly #batch: BatchV1Api;
  readonly #core: CoreV1Api;

  constructor(options: KubernetesJobBackendOptions) {
    this.#kubeConfig = options.kubeConfig;
    this.#options = resolveManifestOptions(options.manifest);
    this.#audit = options.audit;
    this.#batch = options.kubeConfig.makeApiClient(BatchV1Api);
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  get namespace(): string {
    return this.#options.namespace;
  }

  /** The manifest `submit` would create, without touching the cluster (dry run, docs, tests). */
  build(request: KubernetesJobRequest): BuiltJob {
    return buildJobManifest(request, this.#options);
  }

  /** Creates the Kubernetes Job for one attempt. Idempotent per (job, attempt). */
  async submit(request: KubernetesJobRequest): Promise<SubmittedJob> {
    let built: BuiltJob;
    try {
      built = this.build(request);
    } catch (error) {
      if (error instanceof ComputeError && error.code === 'not-confidential' && isId('job', request.jobId))
        await this.#record('k8s.job.create', 'denied', request.jobId, { attempt: request.attempt }, 'not-confidential');
      throw error;
    }
    const namespace = this.#options.namespace;
    const details = {
      name: built.name,
      attempt: request.attempt,
      runtimeClass: built.runtime.name ?? 'default',
      tee: built.runtime.tee,
      gpuCount: built.facts.gpuCount,
      insecure: built.insecure,
    };
    let job: V1Job;
    let created = true;
    try {
      job = await this.#batch.createNamespacedJob({ namespace, body: built.manifest, fieldManager: 'phiguard', fieldValidation: 'Strict' });
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409) {
        await this.#record('k8s.job.create', 'error', request.jobId, details, 'kubernetes-api');
        throw apiError('create-job', error);
      }
      job = await this.#batch.readNamespacedJob({ name: built.name, namespace }).catch((e: unknown) => {
        throw apiError('read-job', e);
      });
      const labels = job.metadata?.labels ?? {};
      if (labels[LABEL_JOB_ID] !== request.jobId || labels[LABEL_ATTEMPT] !== String(request.attempt))
        throw new ComputeError('conflict', 'a Kubernetes Job with this name exists and belongs to something else', { place: { field: 'name' } });
      created = false;
    }
    if (created) await this.#record('k8s.job.create', 'success', request.jobId, details);
    return Object.freeze({ name: built.name, uid: job.metadata?.uid, created, runtimeClassName: built.runtime.name, insecure: built.insecure });
  }

  /** The latest attempt's observation, or `undefined` when the cluster has no Job for this id. */
  async observe(jobId: string): Promise<KubernetesJobObservation | undefined> {
    const namespace = this.#options.namespace;
    const labelSelector = jobSelector(jobId);
    const jobs = await this.#batch.listNamespacedJob({ namespace, labelSelector }).catch((e: unknown) => {
      throw apiError('list-jobs', e);
    });
    const latest = [...jobs.items].sort((a, b) => Number(b.metadata?.labels?.[LABEL_ATTEMPT] ?? 0) - Number(a.metadata?.labels?.[LABEL_ATTEMPT] ?? 0))[0];
    if (latest === undefined) return undefined;
    const pods = await this.#core.listNamespacedPod({ namespace, labelSelector: `${labelSelector},${LABEL_ATTEMPT}=${latest.metadata?.labels?.[LABEL_ATTEMPT] ?? '1'}` }).catch((e: unknown) => {
      throw apiError('list-pods', e);
    });
    return observeJob(latest, pods.items);
  }

  /** Every PHIGuard Job in the namespace with its observation (a dispatcher re-lists on start). */
  async list(): Promise<KubernetesJobObservation[]> {
    const namespace = this.#options.namespace;
    const [jobs, pods] = await Promise.all([
      this.#batch.listNamespacedJob({ namespace, labelSelector: MANAGED_SELECTOR }).catch((e: unknown) => {
        throw apiError('list-jobs', e);
      }),
      this.#core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }).catch((e: unknown) => {
        throw apiError('list-pods', e);
      }),
    ]);
    const key = (labels: Record<string, string> | undefined): string => `${labels?.[LABEL_JOB_ID] ?? ''}#${labels?.[LABEL_ATTEMPT] ?? ''}`;
    return jobs.items.flatMap((job) => observeJob(job, pods.items.filter((p) => key(p.metadata?.labels) === key(job.metadata?.labels))) ?? []);
  }

  /**
   * Deletes the job's Jobs (every attempt, or only `options.attempt`) with foreground
   * propagation: the pods get SIGTERM (the agent wipes its memory workspace and reports
   * `cancelled`) before the Job object goes away. `options.reason` (a code) goes to the ledger.
   */
  async cancel(jobId: string, options: { readonly attempt?: number; readonly reason?: string } = {}): Promise<'cancelled' | 'not-found'> {
    const namespace = this.#options.namespace;
    const labelSelector = options.attempt === undefined ? jobSelector(jobId) : `${jobSelector(jobId)},${LABEL_ATTEMPT}=${String(options.attempt)}`;
    const jobs = await this.#batch.listNamespacedJob({ namespace, labelSelector }).catch((e: unknown) => {
      throw apiError('list-jobs', e);
    });
    let deleted = 0;
    for (const job of jobs.items) {
      const name = job.metadata?.name;
      if (name === undefined) continue;
      try {
        await this.#batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Foreground' });
        deleted++;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) continue;
        await this.#record('k8s.job.delete', 'error', jobId, { name }, 'kubernetes-api');
        throw apiError('delete-job', error);
      }
    }
    if (deleted === 0) return 'not-found';
    const details = { deleted, ...(options.attempt === undefined ? {} : { attempt: options.attempt }) };
    await this.#record('k8s.job.delete', 'success', jobId, details, options.reason);
    return 'cancelled';
  }

  /** Watches every PHIGuard Job in the namespace and calls `onChange` when a job's phase or reason changes. */
  watch(onChange: (observation: KubernetesJobObservation) => void, options: JobWatchOptions = {}): Promise<JobWatch> {
    return startJobWatch(this.#kubeConfig, this.#options.namespace, this.#batch, this.#core, onChange, options);
  }

  async #record(action: string, outcome: 'success' | 'denied' | 'error', jobId: string, details: Record<string, string | number | boolean>, reason?: string): Promise<void> {
    if (this.#audit === undefined) return;
    const resources: AuditResource[] = [{ type: 'job', id: jobId }];
    await this.#audit.record({ actor: ACTOR, action, outcome, resources, details, ...(reason === undefined ? {} : { reason }) });
  }
}
