import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from './agent-error.ts';
import type { AgentConfig } from './agent-config.ts';
import { ControlPlaneClient, problemCode } from './control-plane-client.ts';
import { ConfigfsTsmCollector } from './evidence/configfs-tsm-collector.ts';
import type { EvidenceCollector } from './evidence/evidence-collector.ts';
import { FileGpuCollector } from './evidence/file-gpu-collector.ts';
import type { GpuEvidenceCollector } from './evidence/gpu-evidence-collector.ts';
import { InsecureLocalCollector } from './evidence/insecure-local-collector.ts';
import { NvidiaCcCollector } from './evidence/nvidia-cc-collector.ts';
import { runJob, type JobOutcome, type Lease } from './run-job.ts';
import { Workspace } from './workspace.ts';

export const AGENT_VERSION = 'v0.1.0';
const WORKSPACE_DIR = /^job_[0-9a-hjkmnp-tv-z]{26}-[0-9a-f]{12}$/;

export function collectorFor(config: AgentConfig): EvidenceCollector {
  switch (config.collector) {
    case 'insecure-local':
      return new InsecureLocalCollector();
    case 'sev-snp':
    case 'tdx':
      return new ConfigfsTsmCollector(config.collector);
  }
}

/** The GPU evidence collector the config names; undefined for `none`. */
export function gpuCollectorFor(config: AgentConfig): GpuEvidenceCollector | undefined {
  const c = config.gpuCollector ?? { kind: 'none' };
  switch (c.kind) {
    case 'none':
      return undefined;
    case 'nvidia-cc':
      return new NvidiaCcCollector({ searchPath: c.searchPath, ...(c.helper === undefined ? {} : { helper: c.helper }) });
    case 'file':
      return new FileGpuCollector(c);
  }
}

/**
 * Removes workspaces a previous agent process left behind (it was killed with SIGKILL, or the
 * machine lost power before tmpfs was cleared): they may hold unsealed inputs. Runs at start-up.
 */
export async function wipeLeftovers(root: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return 0;
  }
  let count = 0;
  for (const name of names.filter((n) => WORKSPACE_DIR.test(n))) {
    await Workspace.attach(path.join(root, name)).wipe();
    await rm(path.join(root, name), { recursive: true, force: true });
    count += 1;
  }
  return count;
}

/**
 * The agent's main loop: wipe leftovers, say hello (which node this service account runs), then
 * pull and run jobs one at a time until `shutdown` aborts (SIGTERM) or `maxJobs` ran. Returns the
 * outcomes of the jobs it ran.
 */
export async function runAgent(config: AgentConfig, say: (line: string) => void, shutdown: AbortSignal): Promise<JobOutcome[]> {
  if (config.devInsecureLocal) say('WARNING: development flag set: PHI may run without a TEE and in a disk-backed workspace. Never use this in production.');
  const collector = collectorFor(config);
  if (!(await collector.available())) throw new AgentError('collector-unavailable', `the ${collector.kind} evidence device is not available here`, { place: { field: 'collector' } });
  const gpuCollector = gpuCollectorFor(config);
  if (gpuCollector !== undefined && !(await gpuCollector.available())) throw new AgentError('collector-unavailable', `the ${gpuCollector.kind} GPU evidence collector is not available here`, { place: { field: 'gpuCollector' }, hint: 'docs/compute/agent.md "GPU evidence"' });
  const left = await wipeLeftovers(config.workspaceRoot);
  if (left > 0) say(`wiped ${String(left)} workspace(s) left by an earlier run`);
  const client = new ControlPlaneClient({ server: config.server, apiKey: config.apiKey, ...(config.ca === undefined ? {} : { ca: config.ca }) });
  const hello = await client.json('POST', '/v1/agent/register', { collector: collector.kind, version: AGENT_VERSION });
  if (hello.status !== 200) throw new AgentError('server-refused', `registration refused ${problemCode(hello)}`, { place: { field: 'register' }, hint: 'an administrator binds this service account to a node: phiguard nodes register' });
  say(`node ${(hello.body as { nodeId: string }).nodeId}: ready (${collector.kind}${gpuCollector === undefined ? '' : `, GPU evidence: ${gpuCollector.kind}`})`);
  const outcomes: JobOutcome[] = [];
  while (!shutdown.aborted && (config.maxJobs === undefined || outcomes.length < config.maxJobs)) {
    const pulled = await client.json('POST', '/v1/agent/jobs/pull', config.jobId === undefined ? {} : { jobId: config.jobId }).catch(() => ({ status: 0, body: undefined }));
    if (pulled.status !== 200) {
      await sleep(config.pollMs, undefined, { signal: shutdown }).catch(() => undefined);
      continue;
    }
    const lease = pulled.body as Lease;
    say(`job ${lease.jobId}: leased (attempt ${String(lease.attempt)})`);
    outcomes.push(await runJob({ client, collector, ...(gpuCollector === undefined ? {} : { gpuCollector }), config, say, shutdown }, lease));
  }
  return outcomes;
}
