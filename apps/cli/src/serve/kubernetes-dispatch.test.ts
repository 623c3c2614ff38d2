import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openComputeDatabase, SqlJobQueue } from '@phiguard/compute';
import { KubeApiStandIn } from '@phiguard/compute/kubernetes/testing';
import { loadConfig, systemClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKubernetesDispatch } from './kubernetes-dispatch.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'serve-k8s-'));
let api: KubeApiStandIn;
beforeAll(async () => {
  api = await KubeApiStandIn.start();
});
afterAll(async () => {
  await api.close();
});

function config(enabled: boolean): ReturnType<typeof loadConfig> {
  writeFileSync(path.join(dir, 'kubeconfig'), JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: api.url, 'certificate-authority-data': Buffer.from(api.caPem).toString('base64') } }],
    users: [{ name: 'u', user: { token: api.token } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  }));
  const file = path.join(dir, 'phiguard.json');
  writeFileSync(file, JSON.stringify({ compute: { kubernetes: {
    enabled, namespace: 'jobs', kubeconfig: { path: 'kubeconfig' }, agentImage: `r.example/agent@sha256:${'e'.repeat(64)}`, serverUrl: 'https://cp.example', credentialsSecret: 'agent-key',
  } } }));
  return loadConfig({ cwd: dir, env: {}, file });
}

it('serve starts the dispatch only when compute.kubernetes.enabled, and it creates Jobs for queued jobs', async () => {
  const db = await openComputeDatabase({ kind: 'pglite' });
  try {
    const audit = new MemoryAuditRecorder();
    const queue = new SqlJobQueue(db, systemClock, { audit });
    expect(await startKubernetesDispatch(config(false), queue, audit, () => undefined)).toBeUndefined();
    expect(api.requests).toEqual([]);
    const job = await queue.submit({ spec: { classification: 'none' } });
    const served = await startKubernetesDispatch(config(true), queue, audit, () => undefined);
    try {
      expect(served?.note).toContain('namespace jobs');
      // start() ran a first pass: the queued job has its Job.
      expect(api.list('jobs', 'jobs').map((j) => j.metadata.labels?.['phiguard.io/job-id'])).toEqual([job.id]);
    } finally {
      await served?.stop();
    }
  } finally {
    await db.close();
  }
});
