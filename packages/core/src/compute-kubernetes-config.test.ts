import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'k8s-config-'));
const IMAGE = `registry.example/phiguard/agent@sha256:${'a'.repeat(64)}`;
const VALID = { enabled: true, namespace: 'phiguard-jobs', kubeconfig: { path: 'kube/config' }, agentImage: IMAGE, serverUrl: 'https://cp.example:8443', credentialsSecret: 'phiguard-agent-key' };

function load(kubernetes: unknown): ReturnType<typeof loadConfig> {
  const file = path.join(dir, 'phiguard.json');
  writeFileSync(file, JSON.stringify({ compute: { kubernetes } }));
  return loadConfig({ cwd: dir, env: {}, file });
}

describe('compute.kubernetes configuration', () => {
  it('is absent by default, and read with defaults filled in', () => {
    expect(loadConfig({ cwd: dir, env: {} }).compute).toBeUndefined();
    expect(load(VALID).compute?.kubernetes).toEqual({
      ...VALID, kubeconfig: { kind: 'file', path: path.join(dir, 'kube/config') }, serverUrl: 'https://cp.example:8443/', allowUnpinnedImage: false, startDeadlineSeconds: 600, queue: 'default',
    });
    expect(load({ ...VALID, kubeconfig: 'in-cluster', runtimeClasses: ['kata-qemu-nvidia-gpu-snp', 'default'] }).compute?.kubernetes).toMatchObject({ kubeconfig: { kind: 'in-cluster' }, runtimeClasses: ['kata-qemu-nvidia-gpu-snp', 'default'] });
  });

  it('names every wrong setting', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ namespace: 'Bad_NS' }, 'compute.kubernetes.namespace'],
      [{ kubeconfig: 42 }, 'compute.kubernetes.kubeconfig'],
      [{ agentImage: 'registry.example/agent:latest' }, 'must be pinned by digest'],
      [{ serverUrl: 'http://cp.example' }, 'compute.kubernetes.serverUrl'],
      [{ credentialsSecret: '' }, 'compute.kubernetes.credentialsSecret'],
      [{ runtimeClasses: [] }, 'compute.kubernetes.runtimeClasses'],
      [{ startDeadlineSeconds: 1 }, 'compute.kubernetes.startDeadlineSeconds'],
      [{ enabled: 'yes' }, 'compute.kubernetes.enabled'],
      [{ namspace: 'typo' }, 'compute.kubernetes.namspace is not a known setting'],
    ];
    for (const [change, message] of cases) expect(() => load({ ...VALID, ...change })).toThrow(message);
    expect(load({ ...VALID, agentImage: 'agent:dev', allowUnpinnedImage: true }).compute?.kubernetes?.agentImage).toBe('agent:dev');
  });
});
