import { readFileSync } from 'node:fs';
import { AgentError } from './agent-error.ts';

export const COLLECTORS = ['insecure-local', 'sev-snp', 'tdx'] as const;
export type CollectorKind = (typeof COLLECTORS)[number];
export const RUNTIMES = ['process', 'docker', 'podman'] as const;
export const GPU_COLLECTORS = ['none', 'nvidia-cc', 'file'] as const;

/** Where GPU evidence comes from for jobs with `gpu.count > 0` (docs/compute/agent.md "GPU evidence"). */
export type GpuCollectorConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'nvidia-cc'; readonly helper: string | undefined; readonly searchPath: string }
  | { readonly kind: 'file'; readonly report: string; readonly certChain: string };

/** The agent's configuration: one frozen value, from flags and `PHIGUARD_AGENT_*` variables. */
export interface AgentConfig {
  readonly server: string;
  readonly ca: string | undefined;
  readonly apiKey: string;
  readonly collector: CollectorKind;
  /** GPU evidence collector; absent or `none`: GPU jobs are sent without it (PHI is then refused). */
  readonly gpuCollector?: GpuCollectorConfig;
  /** Where job workspaces are made; must be a tmpfs unless `devInsecureLocal`. */
  readonly workspaceRoot: string;
  readonly runtime: (typeof RUNTIMES)[number];
  /** Development only: PHI jobs on insecure-local evidence, disk-backed workspaces. Loudly logged. */
  readonly devInsecureLocal: boolean;
  /** Wait between pulls when no job is ready. */
  readonly pollMs: number;
  /** Stop after this many jobs (tests, benchmarks); absent: run until SIGTERM. */
  readonly maxJobs: number | undefined;
  /** Lease only this job (a pod made for one job: PHIGUARD_AGENT_JOB_ID); implies one job. */
  readonly jobId: string | undefined;
}

export interface AgentFlags {
  readonly server?: string;
  readonly caFile?: string;
  readonly collector?: string;
  readonly gpuCollector?: string;
  readonly workspace?: string;
  readonly runtime?: string;
  readonly devInsecureLocal?: boolean;
  readonly pollMs?: string;
  readonly maxJobs?: string;
  readonly jobId?: string;
}

const bad = (field: string, what: string): never => {
  throw new AgentError('config-invalid', `${field} ${what}`, { place: { field } });
};

/**
 * The API key from `PHIGUARD_AGENT_API_KEY`, or from the file `PHIGUARD_AGENT_API_KEY_FILE` names
 * (a mounted Kubernetes Secret: the key then never sits in the process environment). Both set is
 * ambiguous and refused.
 */
function readApiKey(env: Readonly<Record<string, string | undefined>>): string {
  const file = env.PHIGUARD_AGENT_API_KEY_FILE;
  if (file === undefined) return env.PHIGUARD_AGENT_API_KEY ?? bad('apiKey', 'is required in PHIGUARD_AGENT_API_KEY or PHIGUARD_AGENT_API_KEY_FILE');
  if (env.PHIGUARD_AGENT_API_KEY !== undefined) bad('apiKey', 'must come from PHIGUARD_AGENT_API_KEY or PHIGUARD_AGENT_API_KEY_FILE, not both');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AgentError('config-invalid', 'cannot read the API key file', { cause, place: { path: file } });
  }
  // A Secret created with --from-file often ends in a newline; the key itself has no whitespace.
  const key = text.trim();
  if (key === '' || /\s/.test(key)) bad('apiKey', 'file must hold exactly one API key');
  return key;
}

function gpuCollectorConfig(kind: string, env: Readonly<Record<string, string | undefined>>): GpuCollectorConfig {
  if (!(GPU_COLLECTORS as readonly string[]).includes(kind)) bad('gpuCollector', `must be one of ${GPU_COLLECTORS.join(', ')}`);
  if (kind === 'nvidia-cc') return { kind, helper: env.PHIGUARD_AGENT_NVIDIA_HELPER, searchPath: env.PATH ?? '' };
  if (kind === 'file') {
    const report = env.PHIGUARD_AGENT_GPU_REPORT_FILE ?? bad('gpuReportFile', 'is required with --gpu-collector file (PHIGUARD_AGENT_GPU_REPORT_FILE)');
    const certChain = env.PHIGUARD_AGENT_GPU_CERT_CHAIN_FILE ?? bad('gpuCertChainFile', 'is required with --gpu-collector file (PHIGUARD_AGENT_GPU_CERT_CHAIN_FILE)');
    return { kind, report, certChain };
  }
  return { kind: 'none' };
}

/** Builds the config; the API key only ever comes from the environment (never a flag: it would show in `ps`). */
export function loadAgentConfig(flags: AgentFlags, env: Readonly<Record<string, string | undefined>>): AgentConfig {
  const server = flags.server ?? env.PHIGUARD_AGENT_SERVER ?? bad('server', 'is required (--server or PHIGUARD_AGENT_SERVER)');
  const apiKey = readApiKey(env);
  const caFile = flags.caFile ?? env.PHIGUARD_AGENT_CA;
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (cause) {
      throw new AgentError('config-invalid', 'cannot read the CA file', { cause, place: { path: caFile } });
    }
  }
  const collector = flags.collector ?? env.PHIGUARD_AGENT_COLLECTOR ?? 'insecure-local';
  if (!(COLLECTORS as readonly string[]).includes(collector)) bad('collector', `must be one of ${COLLECTORS.join(', ')}`);
  const gpuCollector = gpuCollectorConfig(flags.gpuCollector ?? env.PHIGUARD_AGENT_GPU_COLLECTOR ?? 'none', env);
  const runtime = flags.runtime ?? env.PHIGUARD_AGENT_RUNTIME ?? 'process';
  if (!(RUNTIMES as readonly string[]).includes(runtime)) bad('runtime', `must be one of ${RUNTIMES.join(', ')}`);
  const pollMs = Number(flags.pollMs ?? env.PHIGUARD_AGENT_POLL_MS ?? 2000);
  if (!Number.isInteger(pollMs) || pollMs < 10 || pollMs > 600_000) bad('pollMs', 'must be 10..600000');
  const jobId = flags.jobId ?? env.PHIGUARD_AGENT_JOB_ID;
  if (jobId !== undefined && !/^job_[0-9a-hjkmnp-tv-z]{26}$/.test(jobId)) bad('jobId', 'must be a job id (job_…)');
  const maxJobs = flags.maxJobs === undefined ? (jobId === undefined ? undefined : 1) : Number(flags.maxJobs);
  if (maxJobs !== undefined && (!Number.isInteger(maxJobs) || maxJobs < 1)) bad('maxJobs', 'must be a positive integer');
  return Object.freeze({
    server: server.replace(/\/+$/, ''), ca, apiKey, collector: collector as CollectorKind, gpuCollector,
    workspaceRoot: flags.workspace ?? env.PHIGUARD_AGENT_WORKSPACE ?? '/dev/shm/phiguard-agent',
    runtime: runtime as AgentConfig['runtime'],
    devInsecureLocal: flags.devInsecureLocal === true || env.PHIGUARD_AGENT_DEV_INSECURE_LOCAL === '1',
    pollMs, maxJobs, jobId,
  });
}
