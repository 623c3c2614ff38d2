import { KubeConfig } from '@kubernetes/client-node';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.ts';
import type { KubernetesJobObservation } from './job-observation.ts';
import type { JobManifestOptions } from './job-manifest-options.ts';
import { KubernetesJobBackend } from './kubernetes-job-backend.ts';
import { STANDARD_GPU_RUNTIME } from './runtime-class-profile.ts';
import { KubeApiStandIn } from './testing/kube-api-stand-in.ts';

const NS = 'phiguard-jobs';
const clock = new ManualClock(Date.UTC(2026, 10, 24));
const MANIFEST: JobManifestOptions = {
  namespace: NS,
  agentImage: `registry.example/phiguard/agent@sha256:${'b'.repeat(64)}`,
  serverUrl: 'https://phiguard.example',
  credentials: { kind: 'api-key-secret', secretName: 'phiguard-agent-key' },
};
let api: KubeApiStandIn;

function kubeConfig(token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server: api.url, caData: Buffer.from(api.caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'phiguard', token }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'phiguard', namespace: NS }],
    currentContext: 'stand-in',
  });
  return kc;
}

function backend(audit = new MemoryAuditRecorder(), manifest: Partial<JobManifestOptions> = {}): KubernetesJobBackend {
  return new KubernetesJobBackend({ kubeConfig: kubeConfig(api.token), manifest: { ...MANIFEST, ...manifest }, audit });
}

/** Observations as they arrive; `next(pred)` waits for the first one (from now on) that matches. */
function collector(): { seen: KubernetesJobObservation[]; onChange: (o: KubernetesJobObservation) => void; next: (pred: (o: KubernetesJobObservation) => boolean) => Promise<KubernetesJobObservation> } {
  const seen: KubernetesJobObservation[] = [];
  const waiting: { pred: (o: KubernetesJobObservation) => boolean; resolve: (o: KubernetesJobObservation) => void }[] = [];
  return {
    seen,
    onChange: (o) => {
      seen.push(o);
      for (const w of [...waiting]) if (w.pred(o)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(o); }
    },
    next: (pred) => new Promise((resolve) => waiting.push({ pred, resolve })),
  };
}

beforeAll(async () => {
  api = await KubeApiStandIn.start();
});
afterAll(async () => {
  await api.close();
});

describe('KubernetesJobBackend against an HTTPS stand-in of the API server', () => {
  it('creates the Job with strict field validation and the bearer token; a retried submit finds it', async () => {
    const audit = new MemoryAuditRecorder();
    const k8s = backend(audit);
    const jobId = newId('job', clock);
    const request = { jobId, attempt: 1, timeoutMs: 600_000, spec: { classification: 'phi', gpu: { count: 1 } } };
    const first = await k8s.submit(request);
    expect(first).toMatchObject({ name: `phiguard-${jobId.replace('_', '-')}-a1`, created: true, runtimeClassName: 'kata-qemu-nvidia-gpu-snp', insecure: false });
    expect(first.uid).toMatch(/^[0-9a-f-]{36}$/);
    const post = api.requests.find((r) => r.method === 'POST');
    expect(post).toMatchObject({ path: `/apis/batch/v1/namespaces/${NS}/jobs`, authorized: true, query: { fieldManager: 'phiguard', fieldValidation: 'Strict' } });
    const stored = api.list('jobs', NS).find((j) => j.metadata.name === first.name);
    expect(stored?.metadata.labels).toMatchObject({ 'phiguard.io/job-id': jobId, 'phiguard.io/classification': 'phi' });
    const again = await k8s.submit(request);
    expect(again).toMatchObject({ name: first.name, uid: first.uid, created: false });
    expect(api.list('jobs', NS).filter((j) => j.metadata.name === first.name)).toHaveLength(1);
    expect(audit.events.filter((e) => e.action === 'k8s.job.create')).toEqual([
      expect.objectContaining({ outcome: 'success', resources: [{ type: 'job', id: jobId }], details: expect.objectContaining({ runtimeClass: 'kata-qemu-nvidia-gpu-snp', tee: 'sev-snp', insecure: false }) as object }),
    ]);
  });

  it('refuses a PHI job for a non-confidential runtime before any request, and ledgers the denial', async () => {
    const audit = new MemoryAuditRecorder();
    const k8s = backend(audit, { runtimeClasses: [STANDARD_GPU_RUNTIME] });
    const before = api.requests.length;
    const jobId = newId('job', clock);
    await expect(k8s.submit({ jobId, attempt: 1, timeoutMs: 60_000, spec: { classification: 'phi', gpu: { count: 1 } } })).rejects.toMatchObject({ code: 'not-confidential' });
    expect(api.requests.length).toBe(before);
    expect(audit.events).toEqual([expect.objectContaining({ action: 'k8s.job.create', outcome: 'denied', reason: 'not-confidential', resources: [{ type: 'job', id: jobId }] })]);
  });

  it('watches: pending (unschedulable), running, succeeded; a restarted watch stream resumes', async () => {
    const k8s = backend();
    const c = collector();
    const watch = await k8s.watch(c.onChange, { reconnectDelayMs: 50 });
    try {
      const jobId = newId('job', clock);
      const mine = (phase: string) => (o: KubernetesJobObservation): boolean => o.jobId === jobId && o.phase === phase;
      const created = c.next(mine('pending'));
      const { name } = await k8s.submit({ jobId, attempt: 1, timeoutMs: 60_000, spec: { classification: 'deidentified', gpu: { count: 1 } } });
      expect(await created).toMatchObject({ reason: 'created', state: 'queued', attempt: 1, name });
      const unschedulable = c.next((o) => o.jobId === jobId && o.reason === 'unschedulable');
      api.putJobStatus(NS, name, { active: 1, ready: 0 });
      api.putPod(NS, name, `${name}-x1`, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] });
      expect(await unschedulable).toMatchObject({ phase: 'pending', state: 'queued' });
      // The API server ends watch streams from time to time; the informers resume from their resourceVersion.
      api.endWatches();
      const running = c.next(mine('running'));
      api.putPod(NS, name, `${name}-x1`, { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] });
      api.putJobStatus(NS, name, { active: 1, ready: 1, startTime: '2026-11-24T00:00:00Z' });
      expect(await running).toMatchObject({ state: 'leased' });
      const jobWatches = api.requests.filter((r) => r.path.endsWith('/jobs') && r.query.watch === 'true');
      expect(jobWatches.length).toBeGreaterThanOrEqual(2);
      expect(Number(jobWatches.at(-1)?.query.resourceVersion)).toBeGreaterThan(Number(jobWatches[0]?.query.resourceVersion));
      expect(jobWatches.every((r) => r.query.labelSelector === 'app.kubernetes.io/managed-by=phiguard')).toBe(true);
      const succeeded = c.next(mine('succeeded'));
      api.putJobStatus(NS, name, { succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True', reason: 'CompletionsReached' }] });
      expect(await succeeded).toMatchObject({ state: 'succeeded', reason: 'completed' });
      expect(await k8s.observe(jobId)).toMatchObject({ phase: 'succeeded' });
    } finally {
      await watch.stop();
    }
  });

  it('maps an OOM-killed pod to failed and the active deadline to timed-out', async () => {
    const k8s = backend();
    const c = collector();
    const watch = await k8s.watch(c.onChange);
    try {
      const oom = newId('job', clock);
      const slow = newId('job', clock);
      const a = await k8s.submit({ jobId: oom, attempt: 2, timeoutMs: 60_000, spec: { classification: 'none' } });
      const b = await k8s.submit({ jobId: slow, attempt: 1, timeoutMs: 1_000, spec: { classification: 'none' } });
      // The Job's condition may arrive before its pod does: the reason is refined when the pod's reaches the cache.
      const failed = c.next((o) => o.jobId === oom && o.reason === 'oom-killed');
      const timedOut = c.next((o) => o.jobId === slow && o.phase === 'timed-out');
      api.putPod(NS, a.name, `${a.name}-p`, { phase: 'Failed', containerStatuses: [{ name: 'agent', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] });
      api.putJobStatus(NS, a.name, { failed: 1, conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
      api.putJobStatus(NS, b.name, { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] });
      expect(await failed).toMatchObject({ reason: 'oom-killed', state: 'failed', attempt: 2 });
      expect(await timedOut).toMatchObject({ reason: 'deadline-exceeded', state: 'timed-out' });
    } finally {
      await watch.stop();
    }
  });

  it('cancel deletes every attempt in the foreground; the watch reports cancelled; a second cancel finds nothing', async () => {
    const audit = new MemoryAuditRecorder();
    const k8s = backend(audit);
    const c = collector();
    const watch = await k8s.watch(c.onChange);
    try {
      const jobId = newId('job', clock);
      const one = await k8s.submit({ jobId, attempt: 1, timeoutMs: 60_000, spec: { classification: 'none' } });
      await k8s.submit({ jobId, attempt: 2, timeoutMs: 60_000, spec: { classification: 'none' } });
      api.putPod(NS, one.name, `${one.name}-p`, { phase: 'Running' });
      const cancelled = c.next((o) => o.jobId === jobId && o.state === 'cancelled');
      expect(await k8s.cancel(jobId)).toBe('cancelled');
      expect(await cancelled).toMatchObject({ phase: 'deleted' });
      expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
      expect(api.list('jobs', NS).filter((j) => j.metadata.labels?.['phiguard.io/job-id'] === jobId)).toEqual([]);
      expect(api.list('pods', NS).filter((p) => p.metadata.labels?.['phiguard.io/job-id'] === jobId)).toEqual([]);
      expect(await k8s.cancel(jobId)).toBe('not-found');
      expect(await k8s.observe(jobId)).toBeUndefined();
      expect(audit.events.filter((e) => e.action === 'k8s.job.delete')).toEqual([expect.objectContaining({ outcome: 'success', details: { deleted: 2 } })]);
    } finally {
      await watch.stop();
    }
  });

  it('a wrong token is a typed kubernetes-api error with the status code, and the token is not in it', async () => {
    const wrong = 'not-the-token-7f3a';
    const k8s = new KubernetesJobBackend({ kubeConfig: kubeConfig(wrong), manifest: MANIFEST });
    const error = await k8s.submit({ jobId: newId('job', clock), attempt: 1, timeoutMs: 1000, spec: { classification: 'none' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComputeError);
    expect(error).toMatchObject({ code: 'kubernetes-api', place: { field: 'create-job' } });
    expect((error as Error).message).toMatch(/401/);
    expect(JSON.stringify({ m: (error as Error).message, h: (error as ComputeError).hint })).not.toContain(wrong);
  });
});
