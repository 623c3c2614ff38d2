import { KubeConfig } from '@kubernetes/client-node';
import type { AuditRecorder } from '@phiguard/audit';
import type { Clock, KubernetesComputeConfig } from '@phiguard/core';
import { ComputeError } from '../compute-error.ts';
import { KubernetesDispatch, type KubernetesDispatchOptions } from '../dispatch/kubernetes-dispatch.ts';
import { KubernetesJobBackend } from './kubernetes-job-backend.ts';
import { COCO_RUNTIME_CLASSES, NON_CONFIDENTIAL_RUNTIME_CLASSES, STANDARD_GPU_RUNTIME, type RuntimeClassProfile } from './runtime-class-profile.ts';

/**
 * A runtime class name from the configuration as a profile: the CoCo classes as kata-deploy
 * installs them, `default` for the cluster's standard GPU runtime, and the known non-confidential
 * Kata classes (never used for PHI). Other names need a profile written in code (TEE, GPU mode,
 * node labels): the configuration cannot say what a class it does not know isolates.
 */
export function runtimeClassProfile(name: string, index: number): RuntimeClassProfile {
  if (name === 'default') return STANDARD_GPU_RUNTIME;
  const coco = COCO_RUNTIME_CLASSES.find((p) => p.name === name);
  if (coco !== undefined) return coco;
  if (NON_CONFIDENTIAL_RUNTIME_CLASSES.has(name)) return { name, tee: 'none', gpu: name.includes('nvidia-gpu') ? 'plain' : 'none', ...(name.includes('nvidia-gpu') ? { gpuResource: 'nvidia.com/pgpu' } : {}) };
  throw new ComputeError('invalid-input', 'unknown runtime class in compute.kubernetes.runtimeClasses', {
    place: { field: `compute.kubernetes.runtimeClasses[${String(index)}]` },
    hint: `use one of ${COCO_RUNTIME_CLASSES.map((p) => p.name ?? '').join(', ')}, default`,
  });
}

function loadKubeConfig(config: KubernetesComputeConfig): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (config.kubeconfig.kind === 'in-cluster') kubeConfig.loadFromCluster();
    else {
      kubeConfig.loadFromFile(config.kubeconfig.path);
      if (config.kubeconfig.context !== undefined) kubeConfig.setCurrentContext(config.kubeconfig.context);
    }
  } catch (cause) {
    throw new ComputeError('invalid-input', 'cannot load the Kubernetes client configuration', {
      cause,
      place: { field: 'compute.kubernetes.kubeconfig' },
      hint: config.kubeconfig.kind === 'in-cluster' ? 'in-cluster needs the service account token of a pod' : 'check the kubeconfig path and context',
    });
  }
  if (kubeConfig.getCurrentCluster() === null) throw new ComputeError('invalid-input', 'the kubeconfig names no current cluster', { place: { field: 'compute.kubernetes.kubeconfig' } });
  return kubeConfig;
}

export interface ConfiguredDispatchDeps {
  readonly queue: KubernetesDispatchOptions['queue'];
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  readonly onError?: (code: string) => void;
}

/** Builds the backend and dispatch `compute.kubernetes` describes (not started). */
export function kubernetesDispatchFromConfig(config: KubernetesComputeConfig, deps: ConfiguredDispatchDeps): KubernetesDispatch {
  const backend = new KubernetesJobBackend({
    kubeConfig: loadKubeConfig(config),
    audit: deps.audit,
    manifest: {
      namespace: config.namespace,
      agentImage: config.agentImage,
      serverUrl: config.serverUrl,
      credentials: { kind: 'api-key-secret', secretName: config.credentialsSecret },
      ...(config.serverCaConfigMap === undefined ? {} : { serverCaConfigMap: config.serverCaConfigMap }),
      ...(config.runtimeClasses === undefined ? {} : { runtimeClasses: config.runtimeClasses.map(runtimeClassProfile) }),
    },
  });
  return new KubernetesDispatch({
    backend, queue: deps.queue, audit: deps.audit, clock: deps.clock, queueName: config.queue, startDeadlineMs: config.startDeadlineSeconds * 1000,
    ...(deps.onError === undefined ? {} : { onError: deps.onError }),
  });
}
