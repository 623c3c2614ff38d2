// client-node's models are classes, but its API and serializer take plain objects (as its own examples do).
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment */
import type { V1EnvVar, V1Job, V1NodeSelectorRequirement, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { ComputeError } from '../compute-error.ts';
import type { JobFacts } from '../placement/compute-policy.ts';
import { jobFactsFromSpec } from '../placement/job-spec.ts';
import {
  ANNOTATION_INSECURE,
  ANNOTATION_SPEC_SHA256,
  ANNOTATION_TEE,
  kubernetesJobName,
  LABEL_ATTEMPT,
  LABEL_CLASSIFICATION,
  LABEL_JOB_ID,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  specDigest,
} from './job-labels.ts';
import type { ResolvedManifestOptions } from './job-manifest-options.ts';
import { canRun, isConfidentialFor, type RuntimeClassProfile } from './runtime-class-profile.ts';

/** One attempt of a queued job to run as a Kubernetes Job. */
export interface KubernetesJobRequest {
  readonly jobId: string;
  /** 1-based; each attempt is its own Kubernetes Job (`backoffLimit: 0`: PHIGuard's queue decides retries). */
  readonly attempt: number;
  /** The attempt's run time; becomes `activeDeadlineSeconds`. */
  readonly timeoutMs: number;
  /** The job spec as queued (classification, gpu, regions, …). Only scheduling facts are read from it. */
  readonly spec: unknown;
  /** The CPU TEE placement chose, when it chose one. */
  readonly tee?: 'sev-snp' | 'tdx';
}

/** A manifest and the choices made for it. */
export interface BuiltJob {
  readonly name: string;
  readonly manifest: V1Job;
  readonly runtime: RuntimeClassProfile;
  readonly facts: JobFacts;
  /** True when a PHI job was built for a non-confidential runtime under `devInsecure`. */
  readonly insecure: boolean;
}

const WORKSPACE = '/phiguard/workspace';
const TOKEN_DIR = '/var/run/secrets/phiguard';
const CA_DIR = '/phiguard/ca';
const KEY_DIR = '/phiguard/credentials';
const AGENT_UID = 65532;
const NO_CLOCK = { nowMs: () => 0, now: () => new Date(0) };

function chooseRuntime(facts: JobFacts, request: KubernetesJobRequest, options: ResolvedManifestOptions): { profile: RuntimeClassProfile; insecure: boolean } {
  const fits = (p: RuntimeClassProfile): boolean => canRun(p, facts.gpuCount) && (request.tee === undefined || p.tee === request.tee);
  if (facts.classification !== 'phi') {
    const profile = options.runtimeClasses.find(fits);
    if (profile === undefined) throw new ComputeError('invalid-input', 'no configured runtime class can run this job', { place: { field: 'runtimeClasses' } });
    return { profile, insecure: false };
  }
  const confidential = options.runtimeClasses.find((p) => fits(p) && isConfidentialFor(p, facts.gpuCount));
  if (confidential !== undefined) return { profile: confidential, insecure: false };
  const fallback = options.runtimeClasses.find(fits);
  if (!options.devInsecure || fallback === undefined)
    throw new ComputeError('not-confidential', 'a PHI job needs a confidential runtime class (CPU TEE, and GPUs in CC mode when it uses GPUs)', {
      place: { field: 'runtimeClasses' },
      hint: 'configure a Confidential Containers runtime class such as kata-qemu-nvidia-gpu-snp, or run the job on de-identified data',
    });
  options.warn?.(`INSECURE: Kubernetes Job for PHI job ${request.jobId} uses a non-confidential runtime (devInsecure set); never do this in production`);
  return { profile: fallback, insecure: true };
}

function nodeRequirements(facts: JobFacts, profile: RuntimeClassProfile, options: ResolvedManifestOptions): V1NodeSelectorRequirement[] {
  const terms: V1NodeSelectorRequirement[] = (profile.nodeRequirements ?? []).map((r) => ({ key: r.key, operator: r.operator, ...(r.values === undefined ? {} : { values: [...r.values] }) }));
  if (facts.gpuCount > 0 && facts.gpuModels.length > 0) {
    const products = facts.gpuModels.flatMap((model, index) => {
      const labels = options.gpuProductLabels[model];
      if (labels === undefined) throw new ComputeError('invalid-input', 'no nvidia.com/gpu.product label is configured for a requested GPU model', { place: { path: '$.gpu.models', index } });
      return labels;
    });
    terms.push({ key: 'nvidia.com/gpu.product', operator: 'In', values: [...new Set(products)] });
  }
  // GPU feature discovery publishes per-GPU memory in MiB.
  if (facts.gpuCount > 0 && facts.minGpuMemoryGiB > 0) terms.push({ key: 'nvidia.com/gpu.memory', operator: 'Gt', values: [String(facts.minGpuMemoryGiB * 1024 - 1)] });
  if (facts.regions.length > 0) terms.push({ key: options.regionLabel, operator: 'In', values: [...facts.regions] });
  return terms;
}

// The agent's credential and the server's CA, if configured. The API key is a file from the Secret
// (apps/agent reads PHIGUARD_AGENT_API_KEY_FILE), so it is not in the environment the job inherits.
// A projected token is mounted but nothing reads it yet (docs/compute/kubernetes.md, credentials).
function credentialParts(options: ResolvedManifestOptions): { env: V1EnvVar[]; volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const c = options.credentials;
  const parts: { env: V1EnvVar[]; volumes: V1Volume[]; mounts: V1VolumeMount[] } =
    c.kind === 'api-key-secret'
      ? {
          env: [{ name: 'PHIGUARD_AGENT_API_KEY_FILE', value: `${KEY_DIR}/api-key` }],
          volumes: [{ name: 'agent-key', secret: { secretName: c.secretName, defaultMode: 0o440, optional: false, items: [{ key: c.key ?? 'api-key', path: 'api-key' }] } }],
          mounts: [{ name: 'agent-key', mountPath: KEY_DIR, readOnly: true }],
        }
      : {
          env: [],
          volumes: [{ name: 'agent-token', projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { audience: c.audience, expirationSeconds: c.expirationSeconds ?? 600, path: 'token' } }] } }],
          mounts: [{ name: 'agent-token', mountPath: TOKEN_DIR, readOnly: true }],
        };
  if (options.serverCaConfigMap !== undefined) {
    parts.env.push({ name: 'PHIGUARD_AGENT_CA', value: `${CA_DIR}/ca.pem` });
    parts.volumes.push({ name: 'server-ca', configMap: { name: options.serverCaConfigMap, items: [{ key: 'ca.pem', path: 'ca.pem' }] } });
    parts.mounts.push({ name: 'server-ca', mountPath: CA_DIR, readOnly: true });
  }
  return parts;
}

/**
 * Turns one attempt of a queued job into a `batch/v1` Job that runs the PHIGuard agent once.
 * Pure: the same request and options give the same manifest. The pod gets ids only; the agent
 * attests, then pulls the job's command and HPKE-sealed keys over HTTPS, so no data key and no
 * spec value is ever stored in the cluster (labels hold the job id, attempt and classification;
 * an annotation holds the spec's SHA-256). PHI needs a confidential runtime class (CPU TEE, GPUs
 * in CC mode) unless `devInsecure`, HIPAA §164.312(a)(2)(iv).
 */
export function buildJobManifest(request: KubernetesJobRequest, options: ResolvedManifestOptions): BuiltJob {
  if (typeof request.spec !== 'object' || request.spec === null || Array.isArray(request.spec)) throw new ComputeError('invalid-input', '$ must be an object', { place: { path: '$' } });
  const facts = jobFactsFromSpec({ ...(request.spec as Record<string, unknown>), id: request.jobId }, NO_CLOCK);
  if (!Number.isSafeInteger(request.timeoutMs) || request.timeoutMs <= 0) throw new ComputeError('invalid-input', 'timeoutMs must be a positive integer', { place: { field: 'timeoutMs' } });
  const name = kubernetesJobName(request.jobId, request.attempt);
  const { profile, insecure } = chooseRuntime(facts, request, options);
  if (facts.classification === 'phi' && !insecure && !/@sha256:[0-9a-f]{64}$/.test(options.agentImage))
    throw new ComputeError('invalid-input', 'PHI jobs need the agent image pinned by digest (image@sha256:…)', { place: { field: 'agentImage' } });
  const labels = {
    'app.kubernetes.io/name': 'phiguard-agent',
    'app.kubernetes.io/component': 'job',
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_JOB_ID]: facts.id,
    [LABEL_ATTEMPT]: String(request.attempt),
    [LABEL_CLASSIFICATION]: facts.classification,
  };
  const annotations = { [ANNOTATION_SPEC_SHA256]: specDigest(request.spec), [ANNOTATION_TEE]: profile.tee, ...(insecure ? { [ANNOTATION_INSECURE]: 'true' } : {}) };
  const credentials = credentialParts(options);
  const requirements = nodeRequirements(facts, profile, options);
  const resources: Record<string, string> = { cpu: options.cpu, memory: options.memory };
  if (facts.gpuCount > 0) resources[profile.gpuResource ?? 'nvidia.com/gpu'] = String(facts.gpuCount);
  const manifest: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: options.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: Math.ceil(request.timeoutMs / 1000),
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          // SIGTERM on cancel or deadline: the agent stops the job, wipes the workspace and reports.
          terminationGracePeriodSeconds: 30,
          ...(profile.name === undefined ? {} : { runtimeClassName: profile.name }),
          serviceAccountName: options.serviceAccountName,
          // The agent never talks to the Kubernetes API; its own credential is mounted below.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(options.priorityClassName === undefined ? {} : { priorityClassName: options.priorityClassName }),
          securityContext: { runAsNonRoot: true, runAsUser: AGENT_UID, runAsGroup: AGENT_UID, fsGroup: AGENT_UID, seccompProfile: { type: 'RuntimeDefault' } },
          ...(requirements.length === 0 ? {} : { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: requirements }] } } } }),
          tolerations: options.tolerations.map((t) => structuredClone(t)),
          containers: [
            {
              name: 'agent',
              image: options.agentImage,
              imagePullPolicy: 'IfNotPresent',
              command: [...options.agentCommand],
              args: ['--max-jobs', '1'],
              // apps/agent's configuration variables (docs/compute/agent.md); the collector matches the runtime's TEE.
              env: [
                { name: 'PHIGUARD_AGENT_SERVER', value: options.serverUrl.replace(/\/+$/, '') },
                { name: 'PHIGUARD_AGENT_COLLECTOR', value: profile.tee === 'none' ? 'insecure-local' : profile.tee },
                { name: 'PHIGUARD_AGENT_WORKSPACE', value: WORKSPACE },
                ...(insecure ? [{ name: 'PHIGUARD_AGENT_DEV_INSECURE_LOCAL', value: '1' }] : []),
                { name: 'PHIGUARD_AGENT_JOB_ID', value: facts.id },
                { name: 'PHIGUARD_AGENT_ATTEMPT', value: String(request.attempt) },
                { name: 'PHIGUARD_AGENT_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                ...credentials.env,
              ],
              resources: { requests: { ...resources }, limits: { ...resources } },
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'workspace', mountPath: WORKSPACE }, { name: 'tmp', mountPath: '/tmp' }, ...credentials.mounts],
            },
          ],
          volumes: [
            // tmpfs: unsealed inputs and outputs never reach a disk (inside a CoCo VM, encrypted guest memory).
            { name: 'workspace', emptyDir: { medium: 'Memory', sizeLimit: options.workspaceSize } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
            ...credentials.volumes,
          ],
        },
      },
    },
  };
  return Object.freeze({ name, manifest, runtime: profile, facts, insecure });
}
