import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { SqlDriver } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobManifestOptions } from '../kubernetes/job-manifest-options.ts';
import { KubernetesJobBackend } from '../kubernetes/kubernetes-job-backend.ts';
import { STANDARD_GPU_RUNTIME } from '../kubernetes/runtime-class-profile.ts';
import { KubeApiStandIn } from '../kubernetes/testing/kube-api-stand-in.ts';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlJobQueue } from '../queue/sql-job-queue.ts';
import { KubernetesDispatch } from './kubernetes-dispatch.ts';

const NS = 'phiguard-jobs';
const START_DEADLINE = 300_000;
const MANIFEST: JobManifestOptions = {
  namespace: NS,
  agentImage: `registry.example/phiguard/agent@sha256:${'c'.repeat(64)}`,
  serverUrl: 'https://phiguard.example',
  credentials: { kind: 'api-key-secret', secretName: 'phiguard-agent-key' },
};
const NODE = 'node_01kaw3xk5qv8r9d2m7h4n6p0tc';

let api: KubeApiStandIn;
let db: SqlDriver;
let clock: ManualClock;
let audit: MemoryAuditRecorder;
let queue: SqlJobQueue;
const running: KubernetesDispatch[] = [];

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server: api.url, caData: Buffer.from(api.caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'phiguard', token: api.token }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'phiguard', namespace: NS }],
    currentContext: 'stand-in',
  });
  return kc;
}

async function startDispatch(manifest: Partial<JobManifestOptions> = {}): Promise<KubernetesDispatch> {
  const backend = new KubernetesJobBackend({ kubeConfig: kubeConfig(), manifest: { ...MANIFEST, ...manifest }, audit });
  // A long interval: the tests run each pass themselves with sync().
  const dispatch = new KubernetesDispatch({ backend, queue, audit, clock, startDeadlineMs: START_DEADLINE, intervalMs: 3_600_000 });
  await dispatch.start();
  running.push(dispatch);
  return dispatch;
}

/** Waits (bounded) until `check` holds, letting the dispatch finish what the watch handed it. */
async function until(dispatch: KubernetesDispatch, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await dispatch.settled();
    if (await check()) return;
    await sleep(25);
  }
  throw new Error('condition not reached');
}

const jobsOf = (jobId: string) => api.list('jobs', NS).filter((j) => j.metadata.labels?.['phiguard.io/job-id'] === jobId);
const posts = (): number => api.requests.filter((r) => r.method === 'POST').length;
const envOf = (job: ReturnType<typeof jobsOf>[number]) =>
  (job.spec as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec.containers[0]?.env ?? [];

beforeAll(async () => {
  api = await KubeApiStandIn.start();
  db = await openComputeDatabase({ kind: 'pglite' });
});
afterAll(async () => {
  await api.close();
  await db.close();
});
beforeEach(async () => {
  await db.query('TRUNCATE compute_jobs');
  clock = new ManualClock(Date.UTC(2026, 10, 24, 9));
  audit = new MemoryAuditRecorder();
  queue = new SqlJobQueue(db, clock, { audit });
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});

describe('KubernetesDispatch: queue ↔ Kubernetes Jobs, real client against the HTTPS stand-in', () => {
  it('turns a queued job into a Job whose agent is pinned to it, and ledgers the create', async () => {
    const dispatch = await startDispatch();
    const job = await queue.submit({ spec: { classification: 'phi', gpu: { count: 1 } }, timeoutMs: 600_000 });
    await dispatch.sync();
    const [created] = jobsOf(job.id);
    expect(created?.metadata.name).toBe(`phiguard-${job.id.replace('_', '-')}-a1`);
    expect(created?.metadata.labels?.['phiguard.io/attempt']).toBe('1');
    expect(envOf(created!)).toEqual(expect.arrayContaining([{ name: 'PHIGUARD_AGENT_JOB_ID', value: job.id }, { name: 'PHIGUARD_AGENT_ATTEMPT', value: '1' }]));
    expect(audit.events.filter((e) => e.action === 'k8s.job.create')).toEqual([expect.objectContaining({ outcome: 'success', resources: [{ type: 'job', id: job.id }] })]);
    // Another pass while the pod is pending creates nothing more.
    await dispatch.sync();
    expect(jobsOf(job.id)).toHaveLength(1);
  });

  it('an image that never pulls: after the start deadline the attempt is requeued with its reason, its Job deleted, the next attempt created', async () => {
    const dispatch = await startDispatch();
    const job = await queue.submit({ spec: { classification: 'none' }, maxAttempts: 2 });
    await dispatch.sync();
    const name = jobsOf(job.id)[0]!.metadata.name;
    api.putPod(NS, name, `${name}-p`, { phase: 'Pending', containerStatuses: [{ name: 'agent', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'secret registry path' } } }] });
    await until(dispatch, () => dispatch.attempts().some((a) => a.jobId === job.id && a.reason === 'image-pull-back-off'));
    await dispatch.sync();
    expect((await queue.get(job.id))?.state).toBe('queued');
    clock.advance(START_DEADLINE + 1);
    await dispatch.sync();
    expect(await queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1, reason: 'k8s.image-pull-back-off' });
    // The same pass submitted attempt 2 after attempt 1 was deleted.
    expect(jobsOf(job.id).map((j) => j.metadata.labels?.['phiguard.io/attempt'])).toEqual(['2']);
    expect(audit.events.map((e) => `${e.action}:${e.reason ?? ''}`)).toEqual(
      expect.arrayContaining(['job.requeue:k8s.image-pull-back-off', 'k8s.job.delete:start-deadline', 'k8s.job.outcome:start-deadline.image-pull-back-off']),
    );
    expect(JSON.stringify(audit.events)).not.toContain('secret registry path');
    // Attempt 2 never starts either: out of attempts, the job fails for good.
    clock.advance(START_DEADLINE + 1);
    await dispatch.sync();
    expect(await queue.get(job.id)).toMatchObject({ state: 'failed', attempts: 2, reason: 'k8s.created' });
    expect(jobsOf(job.id)).toEqual([]);
  });

  it('a pod OOM-killed after its agent leased: the attempt is requeued (then failed when out of attempts) and ledgered', async () => {
    const dispatch = await startDispatch();
    const job = await queue.submit({ spec: { classification: 'none' }, maxAttempts: 2 });
    await dispatch.sync();
    const lease = await queue.lease({ owner: NODE, leaseMs: 30_000, jobId: job.id });
    expect(lease?.attempt).toBe(1);
    const name = jobsOf(job.id)[0]!.metadata.name;
    api.putPod(NS, name, `${name}-p`, { phase: 'Failed', containerStatuses: [{ name: 'agent', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] });
    api.putJobStatus(NS, name, { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
    await until(dispatch, () => dispatch.attempts().some((a) => a.jobId === job.id && a.reason === 'oom-killed'));
    await dispatch.sync();
    expect(await queue.get(job.id)).toMatchObject({ attempts: 1, reason: 'k8s.oom-killed', leaseOwner: undefined });
    // The dead agent's token no longer completes anything.
    expect(await queue.complete(job.id, lease!.token)).toBe('lost');
    expect(audit.events).toContainEqual(expect.objectContaining({ action: 'k8s.job.outcome', outcome: 'failure', reason: 'oom-killed', details: { attempt: 1, phase: 'failed', queue: 'requeued' } }));
    await dispatch.sync();
    const second = jobsOf(job.id).find((j) => j.metadata.labels?.['phiguard.io/attempt'] === '2');
    expect(second).toBeDefined();
    api.putJobStatus(NS, second!.metadata.name, { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] });
    await until(dispatch, async () => (await queue.get(job.id))?.state === 'failed');
    expect(await queue.get(job.id)).toMatchObject({ attempts: 2, reason: 'k8s.deadline-exceeded' });
  });

  it('a job cancelled in PHIGuard has its Job deleted (ledgered)', async () => {
    const dispatch = await startDispatch();
    const job = await queue.submit({ spec: { classification: 'none' } });
    await dispatch.sync();
    const name = jobsOf(job.id)[0]!.metadata.name;
    api.putPod(NS, name, `${name}-p`, { phase: 'Running' });
    expect(await queue.cancel(job.id)).toBe('cancelled');
    await dispatch.sync();
    expect(jobsOf(job.id)).toEqual([]);
    expect(audit.events).toContainEqual(expect.objectContaining({ action: 'k8s.job.delete', outcome: 'success', reason: 'job-cancelled', resources: [{ type: 'job', id: job.id }] }));
    await dispatch.settled();
    expect((await queue.get(job.id))?.state).toBe('cancelled');
  });

  it('an attempt the queue moved past (its agent reported a failure) has its Job deleted; the next attempt gets a new one', async () => {
    const dispatch = await startDispatch();
    const job = await queue.submit({ spec: { classification: 'none' }, maxAttempts: 3 });
    await dispatch.sync();
    const lease = await queue.lease({ owner: NODE, leaseMs: 30_000, jobId: job.id });
    const name = jobsOf(job.id)[0]!.metadata.name;
    api.putPod(NS, name, `${name}-p`, { phase: 'Running' });
    await until(dispatch, () => dispatch.attempts().some((a) => a.jobId === job.id && a.phase === 'running'));
    expect(await queue.fail(job.id, lease!.token, 'exit-1')).toBe('requeued');
    await dispatch.sync();
    expect(jobsOf(job.id).map((j) => j.metadata.labels?.['phiguard.io/attempt'])).toEqual(['2']);
    expect(audit.events).toContainEqual(expect.objectContaining({ action: 'k8s.job.delete', reason: 'attempt-superseded', details: { deleted: 1, attempt: 1 } }));
    expect(await queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1, reason: 'exit-1' });
  });

  it('a Job deleted behind its back (kubectl delete) while its agent held the lease: the attempt is requeued as k8s.deleted', async () => {
    const dispatch = await startDispatch();
    const job = await queue.submit({ spec: { classification: 'none' } });
    await dispatch.sync();
    await queue.lease({ owner: NODE, leaseMs: 30_000, jobId: job.id });
    const name = jobsOf(job.id)[0]!.metadata.name;
    api.putPod(NS, name, `${name}-p`, { phase: 'Running' });
    await until(dispatch, () => dispatch.attempts().some((a) => a.jobId === job.id && a.phase === 'running'));
    // Someone else's client (an operator) deletes the Job.
    const operator = new KubernetesJobBackend({ kubeConfig: kubeConfig(), manifest: MANIFEST });
    expect(await operator.cancel(job.id)).toBe('cancelled');
    await until(dispatch, async () => (await queue.get(job.id))?.reason === 'k8s.deleted');
    expect(await queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(audit.events).toContainEqual(expect.objectContaining({ action: 'k8s.job.outcome', reason: 'deleted', details: { attempt: 1, phase: 'deleted', queue: 'requeued' } }));
  });

  it('a restarted dispatch re-lists by label: no duplicate Job, finished outcomes not ledgered twice', async () => {
    const first = await startDispatch();
    const pending = await queue.submit({ spec: { classification: 'none' } });
    const failed = await queue.submit({ spec: { classification: 'none' }, maxAttempts: 1 });
    await first.sync();
    const failedName = jobsOf(failed.id)[0]!.metadata.name;
    api.putJobStatus(NS, failedName, { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
    // No pod says why: the next pass fails the attempt with the Job's reason.
    await until(first, () => first.attempts().some((a) => a.jobId === failed.id && a.phase === 'failed'));
    await first.sync();
    expect(await queue.get(failed.id)).toMatchObject({ state: 'failed', reason: 'k8s.backoff-limit-exceeded' });
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const before = { posts: posts(), events: audit.events.length };
    const second = await startDispatch();
    await second.sync();
    await second.settled();
    expect(posts()).toBe(before.posts);
    expect(jobsOf(pending.id)).toHaveLength(1);
    expect(audit.events.slice(before.events)).toEqual([]);
  });

  it('a PHI job no configured runtime class can keep confidential fails for good before any request', async () => {
    const dispatch = await startDispatch({ runtimeClasses: [STANDARD_GPU_RUNTIME] });
    const job = await queue.submit({ spec: { classification: 'phi', gpu: { count: 1 } } });
    const before = posts();
    await dispatch.sync();
    expect(posts()).toBe(before);
    expect(await queue.get(job.id)).toMatchObject({ state: 'failed', reason: 'k8s.not-confidential' });
    expect(audit.events.map((e) => `${e.action}:${e.outcome}`)).toEqual(expect.arrayContaining(['k8s.job.create:denied', 'job.fail:failure']));
  });
});
