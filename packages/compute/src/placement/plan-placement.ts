import type { ComputeNode, Provider } from '../providers/catalog-types.ts';
import { baaInForce } from '../providers/baa.ts';
import { DEFAULT_PRICE_LIST, nodePricePerHour } from '../providers/price-list.ts';
import type { ComputePolicy, JobFacts, NodeFacts } from './compute-policy.ts';

/** One node in a plan: whether it qualifies, and if not every reason (the forbid policies' ids). */
export interface PlacementCandidate {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly providerId: string;
  readonly pricePerHourUsd: number | undefined;
  readonly qualifies: boolean;
  readonly reasons: readonly string[];
}

/** The cheapest qualifying node (ties: the older node), with every candidate explained, cheapest first. */
export interface PlacementPlan {
  readonly jobId: string;
  readonly classification: JobFacts['classification'];
  readonly chosen: PlacementCandidate | undefined;
  readonly candidates: readonly PlacementCandidate[];
  readonly policyHash: string;
}

export interface PlanOptions {
  readonly now: Date;
  /** A node counts as attested when its last verified attestation is at most this old (default 24 h). */
  readonly attestationMaxAgeMs?: number;
  readonly priceList?: Readonly<Record<string, number>>;
}

const DEFAULT_ATTESTATION_MAX_AGE_MS = 24 * 3_600_000;

/** What the placement policy sees about a node at `now`: declared capabilities ∧ fresh verified attestation, BAA in force. */
export function nodeFacts(node: ComputeNode, provider: Provider | undefined, price: number | undefined, options: PlanOptions): NodeFacts {
  const a = node.attestation;
  const age = a === undefined ? Infinity : options.now.getTime() - a.verifiedMs;
  const fresh = a !== undefined && age >= 0 && age <= (options.attestationMaxAgeMs ?? DEFAULT_ATTESTATION_MAX_AGE_MS);
  const cpuTeeVerified = fresh && a.cpuTee !== 'none' && node.cpuTee.includes(a.cpuTee);
  return {
    id: node.id,
    enabled: node.enabled,
    region: node.region,
    gpuModel: node.gpu.model,
    gpuCount: node.gpu.count,
    gpuMemoryGiB: node.gpu.memoryGiB,
    cpuTeeVerified,
    gpuCcVerified: cpuTeeVerified && a.gpuCc && node.gpuCc.length > 0,
    gpuBoundToCpuTee: cpuTeeVerified && a.gpuBound,
    diskEncrypted: node.diskEncryption,
    baaValid: provider !== undefined && baaInForce(provider.baa, options.now),
    priceMicroUsdPerHour: Math.round((price ?? 0) * 1e6),
  };
}

/**
 * Placement (issue 8): the Cedar policy decides which nodes qualify; among them the cheapest wins.
 * A node without a known price does not qualify (`price-unknown`): it cannot be compared.
 */
export function planPlacement(job: JobFacts, nodes: readonly ComputeNode[], providers: readonly Provider[], policy: ComputePolicy, options: PlanOptions): PlacementPlan {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const candidates = nodes.map((node): PlacementCandidate => {
    const price = nodePricePerHour(node, options.priceList ?? DEFAULT_PRICE_LIST);
    const decision = policy.place(job, nodeFacts(node, byId.get(node.providerId), price, options));
    const reasons = decision.allowed ? [] : [...decision.policyIds];
    if (price === undefined) reasons.push('price-unknown');
    return Object.freeze({ nodeId: node.id, nodeName: node.name, providerId: node.providerId, pricePerHourUsd: price, qualifies: reasons.length === 0, reasons: Object.freeze(reasons) });
  });
  const order = new Map(nodes.map((n, i) => [n.id, { created: n.createdMs, i }]));
  candidates.sort((x, y) => {
    if (x.qualifies !== y.qualifies) return x.qualifies ? -1 : 1;
    const px = x.pricePerHourUsd ?? Infinity;
    const py = y.pricePerHourUsd ?? Infinity;
    if (px !== py) return px - py;
    const ox = order.get(x.nodeId);
    const oy = order.get(y.nodeId);
    return (ox?.created ?? 0) - (oy?.created ?? 0) || (ox?.i ?? 0) - (oy?.i ?? 0);
  });
  const chosen = candidates[0]?.qualifies === true ? candidates[0] : undefined;
  return Object.freeze({ jobId: job.id, classification: job.classification, chosen, candidates: Object.freeze(candidates), policyHash: policy.hash });
}
