import path from 'node:path';

/**
 * The `compute.kubernetes` section (docs/compute/kubernetes.md "Configuration"): when `enabled`,
 * `phiguard serve` turns queued jobs into Kubernetes Jobs. Only shape is checked here;
 * `@phiguard/compute/kubernetes` checks the manifest options again when it starts (PHI needs a
 * digest-pinned image there, since only a job's classification says whether it is PHI).
 */
export interface KubernetesComputeConfig {
  readonly enabled: boolean;
  readonly namespace: string;
  /** A kubeconfig file, or `in-cluster` (the pod's service account, KUBERNETES_SERVICE_HOST). */
  readonly kubeconfig: { readonly kind: 'file'; readonly path: string; readonly context?: string } | { readonly kind: 'in-cluster' };
  /** RuntimeClass names, in order of preference; absent: the CoCo classes, then the standard GPU runtime. */
  readonly runtimeClasses?: readonly string[];
  /** Image with `phiguard-agent`; pinned by digest (`…@sha256:…`) unless `allowUnpinnedImage`. */
  readonly agentImage: string;
  /** Development clusters only: a tag instead of a digest (PHI jobs are still refused such an image). */
  readonly allowUnpinnedImage: boolean;
  /** The control plane's HTTPS URL as the pods reach it. */
  readonly serverUrl: string;
  /** The Secret holding the agents' PHIGuard API key (key `api-key`), mounted as a file. */
  readonly credentialsSecret: string;
  readonly serverCaConfigMap?: string;
  /** A pod not running by then fails its attempt. Default 600 s. */
  readonly startDeadlineSeconds: number;
  /** The PHIGuard queue whose jobs go to the cluster. Default `default`. */
  readonly queue: string;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
const KNOWN = new Set(['enabled', 'namespace', 'kubeconfig', 'runtimeClasses', 'agentImage', 'allowUnpinnedImage', 'serverUrl', 'credentialsSecret', 'serverCaConfigMap', 'startDeadlineSeconds', 'queue']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const dnsName = (v: unknown): v is string => typeof v === 'string' && v.length <= 63 && DNS1123.test(v);

/** Validates `compute.kubernetes`; problems (each naming its path) are appended. `undefined` when absent or invalid. */
export function validateKubernetesComputeConfig(raw: unknown, cwd: string, problems: string[]): KubernetesComputeConfig | undefined {
  if (raw === undefined) return undefined;
  const where = 'compute.kubernetes';
  if (!isRecord(raw)) {
    problems.push(`${where} must be an object`);
    return undefined;
  }
  const before = problems.length;
  const bad = (field: string, what: string): void => void problems.push(`${where}.${field} ${what}`);
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) bad(key, 'is not a known setting');
  const enabled = raw.enabled ?? false;
  if (typeof enabled !== 'boolean') bad('enabled', 'must be true or false');
  if (!dnsName(raw.namespace)) bad('namespace', 'must be a namespace name (DNS-1123 label)');
  let kubeconfig: KubernetesComputeConfig['kubeconfig'] | undefined;
  if (raw.kubeconfig === 'in-cluster') kubeconfig = { kind: 'in-cluster' };
  else if (isRecord(raw.kubeconfig) && typeof raw.kubeconfig.path === 'string' && raw.kubeconfig.path !== '') {
    const context = raw.kubeconfig.context;
    if (context !== undefined && (typeof context !== 'string' || context === '')) bad('kubeconfig.context', 'must be a context name');
    kubeconfig = { kind: 'file', path: path.resolve(cwd, raw.kubeconfig.path), ...(typeof context === 'string' && context !== '' ? { context } : {}) };
  } else bad('kubeconfig', 'must be "in-cluster" or {"path": "…/kubeconfig", "context"?: "…"}');
  const runtimeClasses = raw.runtimeClasses;
  if (runtimeClasses !== undefined && (!Array.isArray(runtimeClasses) || runtimeClasses.length === 0 || !runtimeClasses.every((c) => c === 'default' || dnsName(c))))
    bad('runtimeClasses', 'must be a non-empty list of RuntimeClass names ("default" for the standard runtime)');
  const allowUnpinnedImage = raw.allowUnpinnedImage ?? false;
  if (typeof allowUnpinnedImage !== 'boolean') bad('allowUnpinnedImage', 'must be true or false');
  if (typeof raw.agentImage !== 'string' || raw.agentImage === '' || /\s/.test(raw.agentImage)) bad('agentImage', 'must be an image reference');
  else if (allowUnpinnedImage !== true && !DIGEST.test(raw.agentImage)) bad('agentImage', 'must be pinned by digest (image@sha256:<64 hex>); set allowUnpinnedImage only for a development cluster');
  let serverUrl: URL | undefined;
  try {
    serverUrl = new URL(typeof raw.serverUrl === 'string' ? raw.serverUrl : '');
  } catch {
    serverUrl = undefined;
  }
  if (serverUrl?.protocol !== 'https:') bad('serverUrl', 'must be the https:// URL the pods reach the control plane at');
  if (!dnsName(raw.credentialsSecret)) bad('credentialsSecret', 'must be the name of the Secret holding the agents\' API key');
  if (raw.serverCaConfigMap !== undefined && !dnsName(raw.serverCaConfigMap)) bad('serverCaConfigMap', 'must be a ConfigMap name');
  const startDeadlineSeconds = raw.startDeadlineSeconds ?? 600;
  if (typeof startDeadlineSeconds !== 'number' || !Number.isInteger(startDeadlineSeconds) || startDeadlineSeconds < 10 || startDeadlineSeconds > 86_400) bad('startDeadlineSeconds', 'must be 10..86400');
  const queue = raw.queue ?? 'default';
  if (typeof queue !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(queue)) bad('queue', 'must be a lower-case queue name');
  if (problems.length > before || kubeconfig === undefined) return undefined;
  return {
    enabled: enabled as boolean,
    namespace: raw.namespace as string,
    kubeconfig,
    ...(runtimeClasses === undefined ? {} : { runtimeClasses: [...(runtimeClasses as string[])] }),
    agentImage: raw.agentImage as string,
    allowUnpinnedImage: allowUnpinnedImage as boolean,
    serverUrl: (serverUrl as URL).href,
    credentialsSecret: raw.credentialsSecret as string,
    ...(raw.serverCaConfigMap === undefined ? {} : { serverCaConfigMap: raw.serverCaConfigMap as string }),
    startDeadlineSeconds: startDeadlineSeconds as number,
    queue: queue as string,
  };
}
