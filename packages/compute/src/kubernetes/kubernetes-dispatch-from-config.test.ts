import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlDriver } from '@phiguard/audit';
import { loadConfig, ManualClock, type KubernetesComputeConfig } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlJobQueue } from '../queue/sql-job-queue.ts';
import { kubernetesDispatchFromConfig } from './kubernetes-dispatch-from-config.ts';
import { KubeApiStandIn } from './testing/kube-api-stand-in.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'k8s-from-config-'));
let api: KubeApiStandIn;
let db: SqlDriver;

/** `compute.kubernetes` as `phiguard serve` reads it, with a kubeconfig file for the stand-in. */
function configured(extra: Record<string, unknown> = {}): KubernetesComputeConfig {
  const kubeconfig = path.join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: stand-in',
    `clusters: [{name: stand-in, cluster: {server: '${api.url}', certificate-authority-data: ${Buffer.from(api.caPem).toString('base64')}}}]`,
    `users: [{name: phiguard, user: {token: '${api.token}'}}]`,
    'contexts: [{name: stand-in, context: {cluster: stand-in, user: phiguard, namespace: phiguard-jobs}}]', '',
  ].join('\n'));
  const file = path.join(dir, 'phiguard.json');
  writeFileSync(file, JSON.stringify({ compute: { kubernetes: {
    enabled: true, namespace: 'phiguard-jobs', kubeconfig: { path: 'kubeconfig.yaml' }, agentImage: `registry.example/agent@sha256:${'d'.repeat(64)}`,
    serverUrl: 'https://cp.example:8443', credentialsSecret: 'phiguard-agent-key', ...extra,
  } } }));
  const kubernetes = loadConfig({ cwd: dir, env: {}, file }).compute?.kubernetes;
  if (kubernetes === undefined) throw new Error('no compute.kubernetes');
  return kubernetes;
}

beforeAll(async () => {
  api = await KubeApiStandIn.start();
  db = await openComputeDatabase({ kind: 'pglite' });
});
afterAll(async () => {
  await api.close();
  await db.close();
});

describe('kubernetesDispatchFromConfig', () => {
  it('runs a queued job as a Job through the configured kubeconfig, with the key Secret mounted as a file', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 9));
    const audit = new MemoryAuditRecorder();
    const queue = new SqlJobQueue(db, clock, { audit });
    const dispatch = kubernetesDispatchFromConfig(configured({ runtimeClasses: ['kata-qemu-nvidia-gpu-tdx', 'default'] }), { queue, audit, clock });
    await dispatch.start();
    try {
      const job = await queue.submit({ spec: { classification: 'phi', gpu: { count: 1 } } });
      await dispatch.sync();
      const [created] = api.list('jobs', 'phiguard-jobs').filter((j) => j.metadata.labels?.['phiguard.io/job-id'] === job.id);
      const pod = (created?.spec as { template: { spec: { runtimeClassName?: string; volumes: { name: string; secret?: { secretName: string } }[] } } }).template.spec;
      expect(pod.runtimeClassName).toBe('kata-qemu-nvidia-gpu-tdx');
      expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'agent-key', secret: expect.objectContaining({ secretName: 'phiguard-agent-key' }) as object }));
    } finally {
      await dispatch.stop();
    }
  });

  it('refuses an unknown runtime class and an unreadable kubeconfig, naming the setting', () => {
    const deps = { queue: new SqlJobQueue(db, new ManualClock(0)), audit: new MemoryAuditRecorder(), clock: new ManualClock(0) };
    expect(() => kubernetesDispatchFromConfig(configured({ runtimeClasses: ['my-own-class'] }), deps)).toThrow(expect.objectContaining({ code: 'invalid-input', place: { field: 'compute.kubernetes.runtimeClasses[0]' } }) as Error);
    expect(() => kubernetesDispatchFromConfig({ ...configured(), kubeconfig: { kind: 'file', path: path.join(dir, 'missing') } }, deps)).toThrow(
      expect.objectContaining({ code: 'invalid-input', place: { field: 'compute.kubernetes.kubeconfig' } }) as Error,
    );
  });
});
