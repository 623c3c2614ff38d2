import type { AuditRecorder } from '@phiguard/audit';
import type { SqlJobQueue } from '@phiguard/compute';
import { systemClock, type PhiguardConfig } from '@phiguard/core';

export interface ServedKubernetesDispatch {
  readonly note: string;
  stop(): Promise<void>;
}

/**
 * Starts the Kubernetes dispatch when `compute.kubernetes.enabled` (docs/compute/kubernetes.md):
 * queued jobs become Kubernetes Jobs whose agents come back to this server. Loads
 * `@phiguard/compute/kubernetes` (and `@kubernetes/client-node`) only then. Problems are logged as
 * codes (a watch or pass that failed is retried by the dispatch itself).
 */
export async function startKubernetesDispatch(config: PhiguardConfig, queue: SqlJobQueue, ledger: AuditRecorder, log: (line: string) => void): Promise<ServedKubernetesDispatch | undefined> {
  const k8s = config.compute?.kubernetes;
  if (k8s?.enabled !== true) return undefined;
  const { kubernetesDispatchFromConfig } = await import('@phiguard/compute/kubernetes');
  const dispatch = kubernetesDispatchFromConfig(k8s, { queue, audit: ledger, clock: systemClock, onError: (code) => { log(`kubernetes: dispatch pass failed (${code}); retrying`); } });
  await dispatch.start();
  return {
    note: `jobs: queue ${k8s.queue} dispatched as Kubernetes Jobs in namespace ${k8s.namespace} (agents call ${k8s.serverUrl})`,
    stop: () => dispatch.stop(),
  };
}
