import { makeInformer, type BatchV1Api, type CoreV1Api, type Informer, type KubeConfig, type ObjectCache, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { LABEL_ATTEMPT, LABEL_JOB_ID, MANAGED_SELECTOR } from './job-labels.ts';
import { observeJob, type KubernetesJobObservation } from './job-observation.ts';

export interface JobWatchOptions {
  /** Told when a watch connection fails (a code, never a message); the watch reconnects by itself. */
  readonly onError?: (code: string) => void;
  /** First reconnect delay; doubles up to 30 s. Default 1 s. */
  readonly reconnectDelayMs?: number;
}

export interface JobWatch {
  /** Resolves once both informers have listed and started watching. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

const TERMINAL = new Set(['succeeded', 'failed', 'timed-out', 'deleted']);

function jobKey(jobId: string | undefined, attempt: string | undefined): string | undefined {
  return jobId === undefined ? undefined : `${jobId}#${attempt ?? '1'}`;
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; statusCode?: unknown; name?: unknown } | null;
  if (typeof e?.statusCode === 'number') return `http-${String(e.statusCode)}`;
  if (typeof e?.code === 'number') return `http-${String(e.code)}`;
  if (typeof e?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code)) return e.code.toLowerCase();
  return typeof e?.name === 'string' && /^[A-Za-z]{1,40}$/.test(e.name) ? e.name : 'unknown';
}

/**
 * Two informers (list, then watch from the list's resourceVersion; `@kubernetes/client-node`
 * re-lists on 410 Gone): Jobs and pods carrying `app.kubernetes.io/managed-by=phiguard`. Each
 * change recomputes that job's observation from the Job and its pods in the informers' caches and
 * reports it when phase or reason changed. A Job deleted before it finished reports `deleted`; a
 * finished Job removed by its TTL reports nothing more.
 */
export async function startJobWatch(
  kubeConfig: KubeConfig,
  namespace: string,
  batch: BatchV1Api,
  core: CoreV1Api,
  onChange: (observation: KubernetesJobObservation) => void,
  options: JobWatchOptions = {},
): Promise<JobWatch> {
  const jobs: Informer<V1Job> & ObjectCache<V1Job> = makeInformer(
    kubeConfig,
    `/apis/batch/v1/namespaces/${namespace}/jobs`,
    () => batch.listNamespacedJob({ namespace, labelSelector: MANAGED_SELECTOR }),
    MANAGED_SELECTOR,
  );
  const pods: Informer<V1Pod> & ObjectCache<V1Pod> = makeInformer(
    kubeConfig,
    `/api/v1/namespaces/${namespace}/pods`,
    () => core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }),
    MANAGED_SELECTOR,
  );
  const last = new Map<string, string>();
  let stopped = false;

  const report = (job: V1Job, deleted: boolean): void => {
    const labels = job.metadata?.labels ?? {};
    const key = jobKey(labels[LABEL_JOB_ID], labels[LABEL_ATTEMPT]);
    if (key === undefined) return;
    const previous = last.get(key);
    if (deleted && previous !== undefined && TERMINAL.has(previous.split(':')[0] ?? '')) return;
    const ownPods = pods.list(namespace).filter((p) => jobKey(p.metadata?.labels?.[LABEL_JOB_ID], p.metadata?.labels?.[LABEL_ATTEMPT]) === key);
    const observation = observeJob(job, ownPods, deleted);
    if (observation === undefined) return;
    const signature = `${observation.phase}:${observation.reason}`;
    if (signature === previous) return;
    last.set(key, signature);
    onChange(observation);
  };
  const onPod = (pod: V1Pod): void => {
    const labels = pod.metadata?.labels ?? {};
    const key = jobKey(labels[LABEL_JOB_ID], labels[LABEL_ATTEMPT]);
    const job = jobs.list(namespace).find((j) => jobKey(j.metadata?.labels?.[LABEL_JOB_ID], j.metadata?.labels?.[LABEL_ATTEMPT]) === key);
    if (job !== undefined) report(job, false);
  };
  jobs.on('add', (job) => { report(job, false); });
  jobs.on('update', (job) => { report(job, false); });
  jobs.on('delete', (job) => { report(job, true); });
  pods.on('add', onPod);
  pods.on('update', onPod);
  pods.on('delete', onPod);

  // An informer stops on a watch error; start it again with a growing delay.
  const baseDelay = options.reconnectDelayMs ?? 1000;
  for (const informer of [jobs, pods] as const) {
    let delay = baseDelay;
    informer.on('connect', () => { delay = baseDelay; });
    informer.on('error', (error: unknown) => {
      options.onError?.(errorCode(error));
      if (stopped) return;
      const timer = setTimeout(() => { if (!stopped) void informer.start().catch(() => undefined); }, delay);
      timer.unref();
      delay = Math.min(delay * 2, 30_000);
    });
  }
  // Pods first, so the first Job events already see their pods.
  const ready = pods.start().then(() => jobs.start());
  await ready;
  return {
    ready,
    async stop() {
      stopped = true;
      await Promise.all([jobs.stop(), pods.stop()]);
    },
  };
}
