import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { PurposeOfUse } from '@phiguard/audit';
import { AccessError } from '../access-error.ts';
import type { Principal } from '../identity/principal.ts';
import type { Action, ResourceType } from './actions.ts';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { mfaAgeThresholds, mfaAgeSignature } from './mfa-age-thresholds.ts';

/** The policies shipped with PHIGuard (packages/access/policies). */
export const DEFAULT_POLICY_DIR = path.resolve(import.meta.dirname, '../../policies');
const NS = 'PHIGuard';

/** A resource as the policies see it. */
export interface ResourceRef {
  readonly type: ResourceType;
  readonly id: string;
  /** Key ids sealing a dataset (separation of duties). */
  readonly sealedBy?: readonly string[];
}

/** Everything a decision depends on; the authorizer fills grants and break-glass from the store. */
export interface PolicyRequest {
  readonly principal: Principal;
  readonly action: Action;
  readonly resource: ResourceRef;
  readonly purpose?: PurposeOfUse | undefined;
  readonly mfaAgeSeconds?: number | undefined;
  readonly grantedActions?: readonly string[];
  readonly breakGlass?: boolean;
  readonly reason?: string | undefined;
  /** Undefined for sessions (every action); an API key's scopes otherwise. */
  readonly scopes?: readonly string[] | undefined;
  readonly beneficiary?: string | undefined;
  readonly approvedBy?: string | undefined;
}

export interface PolicyDecision {
  readonly allowed: boolean;
  /** The @id of every policy that decided (permits for allow, forbids for an explicit deny; empty: default deny). */
  readonly policyIds: readonly string[];
  /** Policies that failed to evaluate (they count as not applying, Cedar semantics). */
  readonly errors: readonly string[];
}

/** Schema text plus policies by id, as read from a folder or given by `phiguard policy test`. */
export interface PolicySource {
  readonly schema: string;
  readonly policies: Readonly<Record<string, string>>;
}

const detail = (errors: readonly cedar.DetailedError[]): string => errors.map((e) => e.message).join('; ');

/** Splits Cedar text into policies keyed by their `@id("…")` annotation (required, unique). */
export function policiesFromText(text: string, file: string): Record<string, string> {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type === 'failure') throw new AccessError('policy-invalid', `policy file does not parse: ${detail(parts.errors)}`, { place: { file } });
  const out: Record<string, string> = {};
  parts.policies.forEach((policy, index) => {
    const id = /@id\("([a-z0-9-]+)"\)/.exec(policy)?.[1];
    if (id === undefined) throw new AccessError('policy-invalid', 'policy lacks an @id("kebab-case") annotation', { place: { file, index } });
    if (id in out) throw new AccessError('policy-invalid', 'duplicate policy @id', { place: { file, index } });
    out[id] = policy;
  });
  if (parts.policy_templates.length > 0) throw new AccessError('policy-invalid', 'templates are not supported', { place: { file } });
  return out;
}

/** Reads `schema.cedarschema` and every `*.cedar` file of a folder. */
export function readPolicyFolder(dir: string = DEFAULT_POLICY_DIR): PolicySource {
  const schema = readFileSync(path.join(dir, 'schema.cedarschema'), 'utf8');
  const policies: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort()) {
    for (const [id, text] of Object.entries(policiesFromText(readFileSync(path.join(dir, file), 'utf8'), file))) {
      if (id in policies) throw new AccessError('policy-invalid', 'duplicate policy @id across files', { place: { file } });
      policies[id] = text;
    }
  }
  return { schema, policies };
}

/** Strict validation of policies against the schema (Cedar validator); a list of problems, empty when fine. */
export function validatePolicies(source: PolicySource): string[] {
  const answer = cedar.validate({ schema: source.schema, policies: { staticPolicies: { ...source.policies } }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') return answer.errors.map((e) => e.message);
  return answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`);
}

/**
 * Cedar evaluation (deny by default; forbid overrides permit). Policies are validated strictly
 * at construction and pre-parsed once; every request is validated against the schema too.
 */
export class PolicyEngine {
  readonly #schemaName = `schema-${randomUUID()}`;
  readonly #policySetId = `policies-${randomUUID()}`;
  readonly policyIds: readonly string[];
  // Cedar is deterministic: the same inputs give the same answer, so answers are memoized by their
  // inputs (mfaAgeSeconds only by its side of each threshold the policies compare it with).
  readonly #memo = new BoundedCache<string, PolicyDecision>(20_000);
  readonly #mfaThresholds: readonly number[] | undefined;

  readonly #memoize: boolean;

  /** `memoize: false` evaluates every request afresh (tests compare both). */
  constructor(source: PolicySource = readPolicyFolder(), options: { readonly memoize?: boolean } = {}) {
    this.#memoize = options.memoize ?? true;
    const problems = validatePolicies(source);
    if (problems.length > 0) throw new AccessError('policy-invalid', `policies do not validate against the schema: ${problems.join('; ')}`);
    const schema = cedar.preparseSchema(this.#schemaName, source.schema);
    const set = cedar.preparsePolicySet(this.#policySetId, { staticPolicies: { ...source.policies } });
    if (schema.type === 'failure' || set.type === 'failure') throw new AccessError('policy-invalid', 'policies could not be loaded');
    this.policyIds = Object.freeze(Object.keys(source.policies).sort());
    this.#mfaThresholds = mfaAgeThresholds(Object.values(source.policies));
  }

  /** The decision for `request`: memoized by every input the policies can see. */
  evaluate(request: PolicyRequest): PolicyDecision {
    const mfaAge = clampMfaAge(request.mfaAgeSeconds);
    if (!this.#memoize) return this.#evaluate(request, mfaAge);
    const key = JSON.stringify([
      request.principal.kind, request.principal.id, request.principal.roles, request.principal.custodianOf, request.action,
      request.resource.type, request.resource.id, request.resource.sealedBy ?? [], request.purpose ?? null, request.grantedActions ?? [],
      request.breakGlass ?? false, request.reason ?? null, request.scopes === undefined || request.scopes.includes(request.action),
      request.beneficiary ?? null, request.approvedBy ?? null,
      this.#mfaThresholds === undefined ? mfaAge : mfaAgeSignature(mfaAge, this.#mfaThresholds),
    ]);
    const known = this.#memo.get(key, 0);
    if (known !== undefined) return known;
    const decision = this.#evaluate(request, mfaAge);
    this.#memo.set(key, decision, Number.POSITIVE_INFINITY);
    return decision;
  }

  #evaluate(request: PolicyRequest, mfaAge: number): PolicyDecision {
    const { principal, resource } = request;
    const principalType = principal.kind === 'user' ? 'User' : 'ServiceAccount';
    const principalUid = { type: `${NS}::${principalType}`, id: principal.id };
    const resourceUid = { type: `${NS}::${resource.type}`, id: resource.id };
    const user = (id: string): cedar.CedarValueJson => ({ __entity: { type: `${NS}::User`, id } });
    const context: cedar.Context = {
      mfaAgeSeconds: mfaAge,
      grantedActions: [...(request.grantedActions ?? [])],
      breakGlass: request.breakGlass ?? false,
      scopeAllows: request.scopes === undefined || request.scopes.includes(request.action),
      ...(request.purpose === undefined ? {} : { purpose: request.purpose }),
      ...(request.reason === undefined ? {} : { reason: request.reason }),
      ...(request.beneficiary === undefined ? {} : { beneficiary: user(request.beneficiary) }),
      ...(request.approvedBy === undefined ? {} : { approvedBy: user(request.approvedBy) }),
    };
    const entities: cedar.EntityJson[] = [
      { uid: principalUid, attrs: { custodianOf: [...principal.custodianOf] }, parents: principal.roles.map((r) => ({ type: `${NS}::Role`, id: r })) },
    ];
    if (resource.type === 'Dataset' || resource.type === 'DatasetVersion') entities.push({ uid: resourceUid, attrs: { sealedBy: [...(resource.sealedBy ?? [])] }, parents: [] });
    else if (!(resource.type === principalType && resource.id === principal.id)) entities.push(resourceType(resourceUid, resource.type));
    const answer = cedar.statefulIsAuthorized({
      principal: principalUid, action: { type: `${NS}::Action`, id: request.action }, resource: resourceUid, context, entities,
      preparsedSchemaName: this.#schemaName, preparsedPolicySetId: this.#policySetId, validateRequest: true,
    });
    // A request the schema refuses (wrong resource type for the action) is a deny, not a crash.
    if (answer.type === 'failure') return Object.freeze({ allowed: false, policyIds: Object.freeze([]), errors: Object.freeze(answer.errors.map((e) => e.message)) });
    const { decision, diagnostics } = answer.response;
    return Object.freeze({ allowed: decision === 'allow', policyIds: Object.freeze([...diagnostics.reason].sort()), errors: Object.freeze(diagnostics.errors.map((e) => e.policyId)) });
  }
}

function clampMfaAge(seconds: number | undefined): number {
  return Math.max(0, Math.min(Math.floor(seconds ?? 1e9), 1e9));
}

function resourceType(uid: { type: string; id: string }, type: ResourceType): cedar.EntityJson {
  // User and ServiceAccount carry custodianOf (schema); the other resource types have no attributes.
  return { uid, attrs: type === 'User' || type === 'ServiceAccount' ? { custodianOf: [] } : {}, parents: [] };
}
