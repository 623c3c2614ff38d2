import { newId, type Clock } from '@phiguard/core';
import { isPurposeOfUse, type AuditEventInput, type AuditRecorder, type PurposeOfUse } from '@phiguard/audit';
import { AccessError } from '../access-error.ts';
import type { Principal } from '../identity/principal.ts';
import type { BreakGlassRecord, GrantRecord } from '../store/access-records.ts';
import type { AccessStore } from '../store/access-store.ts';
import { RESOURCE_TYPES, type Action } from './actions.ts';
import type { PolicyDecision, PolicyEngine, ResourceRef } from './policy-engine.ts';

/** A request as the server sees it; the authorizer adds grants and break-glass from the store. */
export interface AuthzRequest {
  readonly principal: Principal;
  readonly action: Action;
  readonly resource: ResourceRef;
  readonly purpose?: PurposeOfUse | undefined;
  /** When the principal last proved a second factor (sessions); undefined for API keys. */
  readonly mfaMs?: number | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly reason?: string | undefined;
  readonly beneficiary?: string | undefined;
  readonly approvedBy?: string | undefined;
  readonly requestId?: string | undefined;
}

export const BREAK_GLASS_TTL_MS = 30 * 60_000;
/** `details` keys of the first deciding policies of an `authz.decide` event (at most 8). */
const POLICY_KEYS = ['policy1', 'policy2', 'policy3', 'policy4', 'policy5', 'policy6', 'policy7', 'policy8'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export const MAX_GRANT_TTL_MS = 30 * 24 * 3600_000;

/**
 * Decides with Cedar and records every decision, allow and deny, as an `authz.decide` ledger event
 * with the ids of the deciding policies (HIPAA §164.312(b)). Also runs grants and break-glass.
 */
export class Authorizer {
  readonly #engine: PolicyEngine;
  readonly #store: AccessStore;
  readonly #clock: Clock;
  readonly #audit: AuditRecorder;

  constructor(engine: PolicyEngine, store: AccessStore, clock: Clock, audit: AuditRecorder) {
    this.#engine = engine;
    this.#store = store;
    this.#clock = clock;
    this.#audit = audit;
  }

  async decide(request: AuthzRequest): Promise<PolicyDecision> {
    const now = this.#clock.nowMs();
    const { principal, resource, purpose } = request;
    const resourceType = RESOURCE_TYPES[resource.type];
    const dataResource = resource.type === 'Dataset' || resource.type === 'DatasetVersion';
    // Plain loops and objects built member by member: this runs once per authorized request.
    const grantedActions: string[] = [];
    if (dataResource) {
      for (const g of await this.#store.listGrants({ principalId: principal.id })) {
        if (g.revokedMs === undefined && g.createdMs <= now && now < g.expiresMs && g.resourceType === resourceType && g.resourceId === resource.id && g.purpose === purpose) {
          grantedActions.push(g.action);
        }
      }
    }
    let breakGlass = false;
    if (dataResource && principal.kind === 'user') {
      for (const b of await this.#store.listBreakGlass({ userId: principal.id })) {
        if (b.userId === principal.id && b.resourceType === resourceType && b.resourceId === resource.id && b.startedMs <= now && now < b.expiresMs) breakGlass = true;
      }
    }
    const decision = this.#engine.evaluate({
      principal, action: request.action, resource, purpose, grantedActions, breakGlass, reason: request.reason, scopes: request.scopes,
      beneficiary: request.beneficiary, approvedBy: request.approvedBy,
      mfaAgeSeconds: request.mfaMs === undefined ? undefined : (now - request.mfaMs) / 1000,
    });
    const { allowed, policyIds } = decision;
    const details: Record<string, string | number | boolean> = { action: request.action, decision: allowed ? 'allow' : 'deny', policies: policyIds.length };
    for (let i = 0; i < policyIds.length && i < POLICY_KEYS.length; i++) details[POLICY_KEYS[i] as string] = policyIds[i] as string;
    if (breakGlass) details.breakGlass = true;
    const event: Mutable<AuditEventInput> = {
      actor: { kind: principal.kind, id: principal.id }, action: 'authz.decide', outcome: allowed ? 'success' : 'denied', resources: [{ type: resourceType, id: resource.id }], details,
    };
    if (purpose !== undefined) event.purpose = purpose;
    if (!allowed) event.reason = policyIds.length === 0 ? 'default-deny' : 'policy-denied';
    if (request.requestId !== undefined) event.requestId = request.requestId;
    await this.#audit.record(event);
    return decision;
  }

  /** A data steward grants `grantee` one action on one dataset for one purpose until `expiresMs`. */
  async grant(by: AuthzRequest & { readonly grantee: string; readonly grantedAction: 'dataset.read' | 'dataset.write'; readonly expiresMs: number }): Promise<GrantRecord> {
    const now = this.#clock.nowMs();
    if (by.purpose === undefined || !isPurposeOfUse(by.purpose)) throw new AccessError('forbidden', 'a grant needs a purpose of use', { place: { field: 'purpose' } });
    if (!(by.expiresMs > now && by.expiresMs - now <= MAX_GRANT_TTL_MS)) throw new AccessError('forbidden', 'a grant must expire within 30 days', { place: { field: 'expiresMs' } });
    await this.#require({ ...by, action: 'grant.create', beneficiary: by.grantee });
    const grant: GrantRecord = Object.freeze({
      id: newId('grt', this.#clock), principalId: by.grantee, action: by.grantedAction, resourceType: RESOURCE_TYPES[by.resource.type], resourceId: by.resource.id,
      purpose: by.purpose, grantedBy: by.principal.id, createdMs: now, expiresMs: by.expiresMs, revokedMs: undefined,
    });
    await this.#store.createGrant(grant);
    await this.#audit.record({ actor: { kind: by.principal.kind, id: by.principal.id }, action: 'grant.create', outcome: 'success', purpose: by.purpose, resources: [{ type: 'grant', id: grant.id }, { type: grant.resourceType, id: grant.resourceId }, { type: 'user', id: by.grantee }], details: { grantedAction: by.grantedAction, expiresMs: by.expiresMs } });
    return grant;
  }

  async revokeGrant(by: AuthzRequest & { readonly grantId: string }): Promise<boolean> {
    await this.#require({ ...by, action: 'grant.revoke', resource: { type: 'Grant', id: by.grantId } });
    const done = await this.#store.revokeGrant(by.grantId, this.#clock.nowMs());
    await this.#audit.record({ actor: { kind: by.principal.kind, id: by.principal.id }, action: 'grant.revoke', outcome: done ? 'success' : 'failure', resources: [{ type: 'grant', id: by.grantId }] });
    return done;
  }

  /**
   * Break-glass (HIPAA §164.312(a)(2)(ii)): with a reason code and a fresh second factor, opens a
   * 30-minute episode on one dataset, records a high-severity `breakglass.start` event at once and
   * leaves the episode in the review queue.
   */
  async breakGlass(request: AuthzRequest & { readonly reason: string }): Promise<BreakGlassRecord> {
    await this.#require({ ...request, action: 'breakglass.start' });
    const now = this.#clock.nowMs();
    const episode: BreakGlassRecord = Object.freeze({
      id: newId('btg', this.#clock), userId: request.principal.id, reason: request.reason, resourceType: RESOURCE_TYPES[request.resource.type], resourceId: request.resource.id,
      startedMs: now, expiresMs: now + BREAK_GLASS_TTL_MS, reviewedBy: undefined, reviewedMs: undefined,
    });
    await this.#store.createBreakGlass(episode);
    await this.#audit.record({
      actor: { kind: 'user', id: request.principal.id }, action: 'breakglass.start', outcome: 'success', purpose: 'BTG', reason: request.reason.toLowerCase(),
      resources: [{ type: 'break-glass', id: episode.id }, { type: episode.resourceType, id: episode.resourceId }],
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }), details: { severity: 'high', alert: true, expiresMs: episode.expiresMs },
    });
    return episode;
  }

  /** A security officer reviews an episode; nobody reviews their own. */
  async reviewBreakGlass(request: AuthzRequest & { readonly episodeId: string }): Promise<boolean> {
    const episode = (await this.#store.listBreakGlass({})).find((b) => b.id === request.episodeId);
    if (episode === undefined) throw new AccessError('not-found', 'no such break-glass episode', { place: { field: 'episodeId' } });
    await this.#require({ ...request, action: 'breakglass.review', resource: { type: 'BreakGlass', id: episode.id }, beneficiary: episode.userId });
    const done = await this.#store.reviewBreakGlass(episode.id, request.principal.id, this.#clock.nowMs());
    await this.#audit.record({ actor: { kind: 'user', id: request.principal.id }, action: 'breakglass.review', outcome: done ? 'success' : 'failure', resources: [{ type: 'break-glass', id: episode.id }] });
    return done;
  }

  async #require(request: AuthzRequest): Promise<void> {
    const decision = await this.decide(request);
    if (!decision.allowed) throw new AccessError('forbidden', `not allowed: ${request.action}`, { place: { field: 'action' } });
  }
}
