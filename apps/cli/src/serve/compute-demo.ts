import { ComputePolicy, jobFactsFromSpec, planPlacement, type ComputeNode, type Provider } from '@phiguard/compute';
import type { Clock } from '@phiguard/core';
import { formatPlan } from '../commands/compute.ts';

const DAY_MS = 86_400_000;

/** Three fictional GPU clouds: one with a BAA in force, one whose BAA expired, one without any. */
function demoProviders(now: number): Provider[] {
  const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const provider = (id: string, name: string, baa: Provider['baa']): Provider => ({ id, name, regions: ['us-east'], contacts: [], baa, createdMs: now });
  return [
    provider('prv_0000000000000000000000000a', 'confidential-cloud', { status: 'signed', effectiveOn: isoDay(now - 90 * DAY_MS), expiresOn: isoDay(now + 275 * DAY_MS) }),
    provider('prv_0000000000000000000000000b', 'lapsed-cloud', { status: 'signed', effectiveOn: isoDay(now - 400 * DAY_MS), expiresOn: isoDay(now - 35 * DAY_MS) }),
    provider('prv_0000000000000000000000000c', 'cheap-cloud', { status: 'none' }),
  ];
}

/** Nodes as `phiguard nodes add` would record them; `attestation` is what a verified report showed. */
function demoNodes(now: number): ComputeNode[] {
  const attested = { cpuTee: 'sev-snp' as const, gpuCc: true, gpuBound: true, evidenceHash: `sha256:${'ab'.repeat(32)}`, verifiedMs: now - 3_600_000 };
  const node = (id: string, providerId: string, name: string, gpu: ComputeNode['gpu'], tee: Partial<ComputeNode>): ComputeNode => ({
    id, providerId, name, region: 'us-east', gpu, memoryGiB: 256, cpuTee: [], gpuCc: [], diskEncryption: true, enabled: true, createdMs: now, ...tee,
  });
  return [
    node('nod_0000000000000000000000000a', 'prv_0000000000000000000000000a', 'h100-snp-cc', { model: 'h100', count: 1, memoryGiB: 80 }, { cpuTee: ['sev-snp'], gpuCc: ['hopper'], attestation: attested }),
    node('nod_0000000000000000000000000b', 'prv_0000000000000000000000000b', 'a100-tdx', { model: 'a100-80gb', count: 1, memoryGiB: 80 }, { cpuTee: ['tdx'] }),
    node('nod_0000000000000000000000000c', 'prv_0000000000000000000000000c', 'rtx4090-plain', { model: 'rtx-4090', count: 1, memoryGiB: 24 }, {}),
  ];
}

/**
 * `serve --demo`, confidential-compute part: the same GPU job planned twice over three fictional
 * nodes. With PHI only the node with a verified CPU TEE, a GPU in CC mode bound to it and a BAA in
 * force qualifies; de-identified data may go to the cheapest GPU (docs/compute/placement.md).
 */
export function runComputeDemo(out: NodeJS.WritableStream, clock: Clock): void {
  const now = clock.nowMs();
  const providers = demoProviders(now);
  const nodes = demoNodes(now);
  const policy = new ComputePolicy();
  out.write('demo: confidential compute placement (fictional providers and nodes; `phiguard compute plan --help`)\n');
  for (const classification of ['phi', 'deidentified'] as const) {
    const job = jobFactsFromSpec({ classification, gpu: { count: 1 } }, clock);
    const plan = planPlacement(job, nodes, providers, policy, { now: new Date(now) });
    out.write(formatPlan(plan).replace(/^(?=.)/gm, '  '));
  }
}
