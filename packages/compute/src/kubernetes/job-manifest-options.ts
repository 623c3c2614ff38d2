import type { V1Toleration } from '@kubernetes/client-node';
import { ComputeError } from '../compute-error.ts';
import { DNS1123_LABEL } from './job-labels.ts';
import { COCO_RUNTIME_CLASSES, NON_CONFIDENTIAL_RUNTIME_CLASSES, STANDARD_GPU_RUNTIME, type RuntimeClassProfile } from './runtime-class-profile.ts';

/**
 * How the one-shot agent in the pod proves it is PHIGuard's agent to the control plane. Never a
 * data key: keys reach the pod only after attestation, HPKE-sealed to its ephemeral key.
 * - `projected-token`: a short-lived service account token for `audience`, mounted by kubelet
 *   (TokenRequest API); the cluster's API token is not mounted.
 * - `api-key-secret`: an existing Secret that holds only the agent's PHIGuard API key.
 */
export type AgentCredentials =
  | { readonly kind: 'projected-token'; readonly audience: string; readonly expirationSeconds?: number }
  | { readonly kind: 'api-key-secret'; readonly secretName: string; readonly key?: string };

/** What an operator configures once for the Kubernetes backend (docs/compute/kubernetes.md). */
export interface JobManifestOptions {
  readonly namespace: string;
  /** Image with the PHIGuard agent and the workload's runtime. PHI jobs need it pinned by digest (`…@sha256:…`). */
  readonly agentImage: string;
  /** Default `['phiguard-agent']` (apps/agent); `--max-jobs 1` is appended: the pod runs one job and exits. */
  readonly agentCommand?: readonly string[];
  /** The control plane's HTTPS URL the agent attests to and pulls its job from. */
  readonly serverUrl: string;
  readonly credentials: AgentCredentials;
  /** A ConfigMap whose `ca.pem` is the control plane's CA certificate (when it is not publicly trusted). */
  readonly serverCaConfigMap?: string;
  /** Default `phiguard-agent`: a service account with no RBAC bindings. */
  readonly serviceAccountName?: string;
  /** Candidates in order of preference; default the CoCo classes, then the standard GPU runtime. */
  readonly runtimeClasses?: readonly RuntimeClassProfile[];
  /** GPU model code (as in job specs) → values of the `nvidia.com/gpu.product` node label. */
  readonly gpuProductLabels?: Readonly<Record<string, readonly string[]>>;
  readonly tolerations?: readonly V1Toleration[];
  /** Container requests = limits (Guaranteed QoS). Defaults `4` CPUs, `32Gi`. */
  readonly cpu?: string;
  readonly memory?: string;
  /** Memory-backed workspace size (counts against `memory`). Default `16Gi`. */
  readonly workspaceSize?: string;
  /** Default 3600: finished Jobs are garbage-collected an hour later. */
  readonly ttlSecondsAfterFinished?: number;
  readonly priorityClassName?: string;
  /** Default `topology.kubernetes.io/region`. */
  readonly regionLabel?: string;
  /** Development only: let PHI jobs build without a confidential runtime class; each time `warn` is called. */
  readonly devInsecure?: boolean;
  readonly warn?: (message: string) => void;
}

/** Options with every default filled in. */
export interface ResolvedManifestOptions extends Required<Omit<JobManifestOptions, 'priorityClassName' | 'serverCaConfigMap' | 'warn'>> {
  readonly priorityClassName: string | undefined;
  readonly serverCaConfigMap: string | undefined;
  readonly warn: ((message: string) => void) | undefined;
}

/** Public product names the GPU feature discovery publishes; extend per cluster. */
export const DEFAULT_GPU_PRODUCT_LABELS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  h100: ['NVIDIA-H100-80GB-HBM3', 'NVIDIA-H100-PCIe', 'NVIDIA-H100-NVL'],
  h200: ['NVIDIA-H200', 'NVIDIA-H200-NVL'],
  b200: ['NVIDIA-B200'],
  'a100-80gb': ['NVIDIA-A100-SXM4-80GB', 'NVIDIA-A100-80GB-PCIe'],
  'rtx-4090': ['NVIDIA-GeForce-RTX-4090'],
});

// eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- client-node takes plain objects
const DEFAULT_TOLERATIONS: readonly V1Toleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
// resource.Quantity (apimachinery): a decimal with an optional binary or decimal SI suffix.
const QUANTITY = /^(\d+(\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function fail(field: string, what: string): never {
  throw new ComputeError('invalid-input', `Kubernetes option ${field} ${what}`, { place: { field } });
}

/** Checks operator options once and fills in the defaults. Throws `invalid-input` naming the option. */
export function resolveManifestOptions(options: JobManifestOptions): ResolvedManifestOptions {
  if (!DNS1123_LABEL.test(options.namespace) || options.namespace.length > 63) fail('namespace', 'must be a DNS-1123 label');
  if (typeof options.agentImage !== 'string' || options.agentImage.trim() === '' || /\s/.test(options.agentImage)) fail('agentImage', 'must be an image reference');
  let url: URL;
  try {
    url = new URL(options.serverUrl);
  } catch {
    fail('serverUrl', 'must be an https URL');
  }
  if (url.protocol !== 'https:') fail('serverUrl', 'must be an https URL');
  const credentials = options.credentials;
  if (credentials.kind === 'projected-token') {
    if (credentials.audience.trim() === '') fail('credentials.audience', 'must not be empty');
    const seconds = credentials.expirationSeconds ?? 600;
    // TokenRequest: at least 10 minutes (kubelet rejects shorter projected tokens).
    if (!Number.isInteger(seconds) || seconds < 600 || seconds > 86_400) fail('credentials.expirationSeconds', 'must be 600..86400');
  } else if ((credentials.kind as string) === 'api-key-secret') {
    if (!DNS1123_LABEL.test(credentials.secretName)) fail('credentials.secretName', 'must be a Secret name');
  } else fail('credentials.kind', 'must be projected-token or api-key-secret');
  const runtimeClasses = options.runtimeClasses ?? [...COCO_RUNTIME_CLASSES, STANDARD_GPU_RUNTIME];
  if (runtimeClasses.length === 0) fail('runtimeClasses', 'must list at least one runtime class');
  runtimeClasses.forEach((profile, i) => {
    if (profile.name !== undefined && !DNS1123_LABEL.test(profile.name)) fail(`runtimeClasses[${String(i)}].name`, 'must be a RuntimeClass name');
    if (profile.name !== undefined && profile.tee !== 'none' && NON_CONFIDENTIAL_RUNTIME_CLASSES.has(profile.name))
      fail(`runtimeClasses[${String(i)}].tee`, 'names a runtime class known to run without a TEE');
    if (profile.gpu !== 'none' && profile.gpuResource !== undefined && !QUALIFIED_NAME.test(profile.gpuResource)) fail(`runtimeClasses[${String(i)}].gpuResource`, 'must be a resource name');
  });
  for (const [field, value] of [['cpu', options.cpu], ['memory', options.memory], ['workspaceSize', options.workspaceSize]] as const)
    if (value !== undefined && !QUANTITY.test(value)) fail(field, 'must be a Kubernetes quantity (e.g. 4, 500m, 16Gi)');
  const ttl = options.ttlSecondsAfterFinished ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 0) fail('ttlSecondsAfterFinished', 'must be a non-negative integer');
  if (options.priorityClassName !== undefined && !DNS1123_LABEL.test(options.priorityClassName)) fail('priorityClassName', 'must be a PriorityClass name');
  if (options.serverCaConfigMap !== undefined && !DNS1123_LABEL.test(options.serverCaConfigMap)) fail('serverCaConfigMap', 'must be a ConfigMap name');
  if (options.devInsecure === true && typeof options.warn !== 'function') throw new TypeError('devInsecure needs a warn logger');
  const agentCommand = options.agentCommand ?? ['phiguard-agent'];
  if (agentCommand.length === 0) fail('agentCommand', 'must not be empty');
  return Object.freeze({
    namespace: options.namespace,
    agentImage: options.agentImage,
    agentCommand,
    serverUrl: url.href,
    credentials,
    serviceAccountName: options.serviceAccountName ?? 'phiguard-agent',
    runtimeClasses,
    gpuProductLabels: options.gpuProductLabels ?? DEFAULT_GPU_PRODUCT_LABELS,
    tolerations: options.tolerations ?? DEFAULT_TOLERATIONS,
    cpu: options.cpu ?? '4',
    memory: options.memory ?? '32Gi',
    workspaceSize: options.workspaceSize ?? '16Gi',
    ttlSecondsAfterFinished: ttl,
    priorityClassName: options.priorityClassName,
    serverCaConfigMap: options.serverCaConfigMap,
    regionLabel: options.regionLabel ?? 'topology.kubernetes.io/region',
    devInsecure: options.devInsecure ?? false,
    warn: options.warn,
  });
}
