import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

/** The compute policies shipped with PHIGuard (packages/compute/policies). */
export const DEFAULT_COMPUTE_POLICY_DIR = path.resolve(import.meta.dirname, '../../policies');
const NS = 'PHIGuardCompute';

/** A job as the policies see it (see compute.cedarschema). */
export interface JobFacts {
  readonly id: string;
  readonly classification: 'phi' | 'deidentified' | 'none';
  readonly gpuCount: number;
  readonly gpuModels: readonly string[];
  readonly minGpuMemoryGiB: number;
  readonly budgetMicroUsdPerHour: number | undefined;
  readonly regions: readonly string[];
}

/** A node as the policies see it, with its verified and contractual facts evaluated at one instant. */
export interface NodeFacts {
  readonly id: string;
  readonly enabled: boolean;
  readonly region: string;
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly gpuMemoryGiB: number;
  readonly cpuTeeVerified: boolean;
  readonly gpuCcVerified: boolean;
  readonly gpuBoundToCpuTee: boolean;
  readonly diskEncrypted: boolean;
  readonly baaValid: boolean;
  readonly priceMicroUsdPerHour: number;
}

/** What the release policy sees about one verification. */
export interface ReleaseFacts {
  readonly attested: boolean;
  readonly tee: string;
  readonly debug: boolean;
  readonly devInsecureLocal: boolean;
  readonly gpuAttested: boolean;
  readonly gpuBound: boolean;
  readonly baaValid: boolean;
}

export interface ComputeDecision {
  readonly allowed: boolean;
  /** Permits that allowed it, or forbids that refused it (empty: default deny). Sorted. */
  readonly policyIds: readonly string[];
}

export interface ComputePolicySource {
  readonly schema: string;
  readonly policies: Readonly<Record<string, string>>;
}

/** Reads `compute.cedarschema` and every `*.cedar` file; policies keyed by their `@id`. */
export function readComputePolicies(dir: string = DEFAULT_COMPUTE_POLICY_DIR): ComputePolicySource {
  const schema = readFileSync(path.join(dir, 'compute.cedarschema'), 'utf8');
  const policies: Record<string, string> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.cedar'))
    .sort()) {
    const parts = cedar.policySetTextToParts(readFileSync(path.join(dir, file), 'utf8'));
    if (parts.type === 'failure') throw new TypeError(`${file}: compute policies do not parse`);
    for (const text of parts.policies) {
      const id = /@id\("([a-z0-9-]+)"\)/.exec(text)?.[1];
      if (id === undefined || id in policies) throw new TypeError(`${file}: every compute policy needs a unique @id("kebab-case")`);
      policies[id] = text;
    }
  }
  return { schema, policies };
}

const toLong = (n: number): number => Math.max(0, Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER));

/**
 * Cedar evaluation of the compute policies (deny by default, forbid overrides permit). Validated
 * strictly against the schema at construction and pre-parsed once.
 */
export class ComputePolicy {
  readonly #schemaName = `compute-schema-${randomUUID()}`;
  readonly #policySetId = `compute-policies-${randomUUID()}`;
  /** `sha256:` over the schema and the policies in id order: which policy text decided, for the ledger. */
  readonly hash: string;

  constructor(source: ComputePolicySource = readComputePolicies()) {
    const answer = cedar.validate({
      schema: source.schema,
      policies: { staticPolicies: { ...source.policies } },
      validationSettings: { mode: 'strict' },
    });
    const problems =
      answer.type === 'failure'
        ? answer.errors.map((e) => e.message)
        : answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`);
    if (problems.length > 0) throw new TypeError(`compute policies do not validate against the schema: ${problems.join('; ')}`);
    if (cedar.preparseSchema(this.#schemaName, source.schema).type === 'failure') throw new TypeError('compute schema could not be loaded');
    if (cedar.preparsePolicySet(this.#policySetId, { staticPolicies: { ...source.policies } }).type === 'failure')
      throw new TypeError('compute policies could not be loaded');
    const h = createHash('sha256').update(source.schema);
    for (const id of Object.keys(source.policies).sort()) h.update(`\u0000${id}\u0000${source.policies[id] ?? ''}`);
    this.hash = `sha256:${h.digest('hex')}`;
  }

  /** May `job` be placed on `node`? Refusals name every forbid that applied. */
  place(job: JobFacts, node: NodeFacts): ComputeDecision {
    const jobUid = { type: `${NS}::Job`, id: job.id };
    const nodeUid = { type: `${NS}::Node`, id: node.id };
    return this.#decide('place', jobUid, nodeUid, {}, [
      { uid: jobUid, attrs: jobAttrs(job), parents: [] },
      { uid: nodeUid, attrs: nodeAttrs(node), parents: [] },
    ]);
  }

  /** May `job`'s keys be released to `nodeId` given what its evidence showed? */
  release(nodeId: string, job: JobFacts, facts: ReleaseFacts): ComputeDecision {
    const jobUid = { type: `${NS}::Job`, id: job.id };
    const nodeUid = { type: `${NS}::Node`, id: nodeId };
    // The release policy reads only the job's attributes; the node entity is the principal.
    const placeholder: NodeFacts = {
      id: nodeId,
      enabled: true,
      region: '',
      gpuModel: '',
      gpuCount: 0,
      gpuMemoryGiB: 0,
      cpuTeeVerified: false,
      gpuCcVerified: false,
      gpuBoundToCpuTee: false,
      diskEncrypted: false,
      baaValid: facts.baaValid,
      priceMicroUsdPerHour: 0,
    };
    return this.#decide('release', nodeUid, jobUid, { ...facts }, [
      { uid: jobUid, attrs: jobAttrs(job), parents: [] },
      { uid: nodeUid, attrs: nodeAttrs(placeholder), parents: [] },
    ]);
  }

  #decide(
    action: string,
    principal: cedar.EntityUidJson,
    resource: cedar.EntityUidJson,
    context: cedar.Context,
    entities: cedar.EntityJson[],
  ): ComputeDecision {
    const answer = cedar.statefulIsAuthorized({
      principal,
      action: { type: `${NS}::Action`, id: action },
      resource,
      context,
      entities,
      preparsedSchemaName: this.#schemaName,
      preparsedPolicySetId: this.#policySetId,
      validateRequest: true,
    });
    if (answer.type === 'failure') return Object.freeze({ allowed: false, policyIds: Object.freeze(['request-invalid']) });
    const { decision, diagnostics } = answer.response;
    // A policy that errors counts as not applying (Cedar semantics); forbids are written so they cannot error.
    return Object.freeze({ allowed: decision === 'allow', policyIds: Object.freeze([...diagnostics.reason].sort()) });
  }
}

function jobAttrs(job: JobFacts): Record<string, cedar.CedarValueJson> {
  return {
    classification: job.classification,
    gpuCount: toLong(job.gpuCount),
    gpuModels: [...job.gpuModels],
    minGpuMemoryGiB: toLong(job.minGpuMemoryGiB),
    hasBudget: job.budgetMicroUsdPerHour !== undefined,
    budgetMicroUsdPerHour: toLong(job.budgetMicroUsdPerHour ?? 0),
    regions: [...job.regions],
  };
}

function nodeAttrs(node: NodeFacts): Record<string, cedar.CedarValueJson> {
  return {
    enabled: node.enabled,
    region: node.region,
    gpuModel: node.gpuModel,
    gpuCount: toLong(node.gpuCount),
    gpuMemoryGiB: toLong(node.gpuMemoryGiB),
    cpuTeeVerified: node.cpuTeeVerified,
    gpuCcVerified: node.gpuCcVerified,
    gpuBoundToCpuTee: node.gpuBoundToCpuTee,
    diskEncrypted: node.diskEncrypted,
    baaValid: node.baaValid,
    priceMicroUsdPerHour: toLong(node.priceMicroUsdPerHour),
  };
}
