import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError, type Action } from '@phiguard/access';
import type { PurposeOfUse } from '@phiguard/audit';
import { BaseError } from '@phiguard/core';
import { VaultError, type LinkageVault, type ReidRequest } from '@phiguard/vault';
import type { AccessServices } from '../http/access-services.ts';
import { authenticate, purposeOf, type Caller } from '../http/authenticate.ts';

/**
 * Opens the server's linkage vault (the one `phiguard deid … --linkage-key` writes tokens into);
 * undefined while none exists yet. Built by the composition root (`phiguard serve`).
 */
export type LinkageOpener = () => Promise<LinkageVault | undefined>;

/** Refusals of the re-identification routes that need a code of their own (problem+json `code`). */
export const LINKAGE_ROUTE_ERROR_CODES = ['self-approval', 'approval-required', 'purpose-required', 'not-configured'] as const;
export type LinkageRouteErrorCode = (typeof LINKAGE_ROUTE_ERROR_CODES)[number];
export class LinkageRouteError extends BaseError<LinkageRouteErrorCode> {}

/** Cedar resource of every re-identification decision: the linkage vault, sealed by its own KEK. */
export const LINKAGE_RESOURCE_ID = 'linkage-vault';

const Token = Type.String({ pattern: '^LNK-[0-9A-Z]{32}$' });
// Free text for the reviewer: 1 to 2,000 characters (the vault refuses control characters).
const Reason = Type.String({ minLength: 1, maxLength: 2000 });
const NewRequest = Type.Object({ tokens: Type.Array(Token, { minItems: 1, maxItems: 10_000 }), reason: Reason }, { additionalProperties: false });
/**
 * What `status` filters and shows: stored statuses, `expired` (an open request past `openTtlMs`)
 * and `approval-expired` (an approved one past its reveal window, `requestTtlMs`). REID_STATES.
 */
const State = Type.Union([
  Type.Literal('open'), Type.Literal('expired'), Type.Literal('approved'), Type.Literal('approval-expired'), Type.Literal('denied'), Type.Literal('revealed'), Type.Literal('withdrawn'),
]);
const Params = Type.Object({ id: Type.String({ pattern: '^reid_[0-9a-z]{26}$' }) });
const ListQuery = Type.Object(
  { scope: Type.Optional(Type.Union([Type.Literal('mine'), Type.Literal('review')])), status: Type.Optional(State), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);
const Deny = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });

/**
 * What a requester or a reviewer sees of a request: who asks, why, how many tokens, its state and
 * when an approval lapses. Never an original value; the token list only on the single-request
 * route (tokens are keyed HMACs, not PHI).
 */
export function requestView(vault: LinkageVault, r: ReidRequest, withTokens: boolean): Record<string, unknown> {
  return {
    id: r.id, requester: r.requester, purpose: r.purpose, reason: r.reason, tokenCount: r.tokens.length, status: vault.stateOf(r), createdMs: r.createdMs,
    decidedBy: r.decidedBy, decidedMs: r.decidedMs, decisionReason: r.decisionReason, revealedMs: r.revealedMs, withdrawnMs: r.withdrawnMs, expiresMs: vault.expiresMs(r),
    ...(withTokens ? { tokens: r.tokens } : {}),
  };
}

/**
 * Re-identification through the linkage vault (docs/vault.md "Re-identification", issue 7
 * "re-identification needs two different people; nobody approves their own request"). Every
 * route authenticates and decides with Cedar on the linkage vault (recorded as `authz.decide`);
 * the vault then enforces the same two-person rule itself and records each step. Approve and
 * deny name the requester as beneficiary (`sod-no-self-approval`); reveal names the approver
 * (`sod-reidentify-two-people`) and states the purpose the request was approved for. Withdraw is
 * the requester acting on their own request: `reid.request` for its purpose, as for asking.
 */
export function registerLinkageRoutes(app: FastifyInstance, access: AccessServices, open: LinkageOpener | undefined): void {
  const vaultOf = async (): Promise<LinkageVault> => {
    if (open === undefined) throw new LinkageRouteError('not-configured', 'this server has no linkage vault (start it with the keystore unlocked)');
    const vault = await open();
    if (vault === undefined) throw new LinkageRouteError('not-configured', 'no linkage vault yet', { hint: 'de-identify with a profile that encrypts, e.g. phiguard deid fhir … --linkage-key KEY_ID' });
    return vault;
  };

  /** Decides (recorded in the ledger); a deny by a separation-of-duties or purpose guard gets its own code. */
  const require = async (request: FastifyRequest, caller: Caller, vault: LinkageVault, action: Action, extra: { purpose?: PurposeOfUse | undefined; beneficiary?: string; approvedBy?: string }): Promise<void> => {
    const d = await access.authorizer.decide({
      principal: caller.principal, action, resource: { type: 'Dataset', id: LINKAGE_RESOURCE_ID, sealedBy: [vault.keyId] }, scopes: caller.scopes, mfaMs: caller.mfaMs, requestId: request.id, ...extra,
    });
    if (d.allowed) return;
    if (d.policyIds.includes('sod-no-self-approval')) throw new LinkageRouteError('self-approval', 'nobody approves or denies their own re-identification request', { place: { field: 'id' } });
    if (d.policyIds.includes('sod-reidentify-two-people')) throw new LinkageRouteError('approval-required', 'a reveal needs an approval by another person', { place: { field: 'id' } });
    if (d.policyIds.includes('purpose-required')) throw new LinkageRouteError('purpose-required', 'state the purpose of use (X-Purpose-Of-Use)', { place: { field: 'x-purpose-of-use' } });
    throw new AccessError('forbidden', `not allowed: ${action}`, { place: { field: 'action' } });
  };

  /** The request named in the path; an unknown id is told only to a caller allowed `action` at all. */
  const load = async (request: FastifyRequest, caller: Caller, vault: LinkageVault, action: Action): Promise<ReidRequest> => {
    const { id } = request.params as Static<typeof Params>;
    const found = await vault.get(id);
    if (found === undefined) {
      await require(request, caller, vault, action, { purpose: purposeOf(request) });
      throw new VaultError('not-found', 'no such re-identification request', { place: { field: 'id' } });
    }
    return found;
  };

  app.post('/v1/linkage/requests', { schema: { tags: ['linkage'], summary: 'Ask to re-identify tokens (reid.request; X-Purpose-Of-Use; a stated reason for the reviewer).', body: NewRequest } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const vault = await vaultOf();
    const purpose = purposeOf(request);
    await require(request, caller, vault, 'reid.request', { purpose });
    if (purpose === undefined) throw new LinkageRouteError('purpose-required', 'state the purpose of use (X-Purpose-Of-Use)', { place: { field: 'x-purpose-of-use' } });
    const body = request.body as Static<typeof NewRequest>;
    const created = await vault.request({ requester: caller.principal.id, tokens: body.tokens, purpose, reason: body.reason });
    return reply.code(201).send(requestView(vault, created, false));
  });

  app.get('/v1/linkage/requests', { schema: { tags: ['linkage'], summary: 'Your requests (scope=mine, reid.request) or the ones to review (scope=review, reid.approve; default status open). No values.', querystring: ListQuery } }, async (request) => {
    const caller = await authenticate(request, access);
    const vault = await vaultOf();
    const q = request.query as Static<typeof ListQuery>;
    const limit = q.limit ?? 100;
    if (q.scope === 'review') {
      await require(request, caller, vault, 'reid.approve', { purpose: purposeOf(request) });
      return (await vault.list({ statuses: [q.status ?? 'open'], limit })).map((r) => requestView(vault, r, false));
    }
    await require(request, caller, vault, 'reid.request', { purpose: purposeOf(request) });
    return (await vault.list({ requester: caller.principal.id, ...(q.status === undefined ? {} : { statuses: [q.status] }), limit })).map((r) => requestView(vault, r, false));
  });

  app.get('/v1/linkage/requests/:id', { schema: { tags: ['linkage'], summary: 'One request with its tokens: to its requester (reid.request for its purpose) or a reviewer (reid.approve). No values.', params: Params } }, async (request) => {
    const caller = await authenticate(request, access);
    const vault = await vaultOf();
    const found = await load(request, caller, vault, 'reid.approve');
    // The request's own purpose is the context: reading it serves that purpose.
    if (found.requester === caller.principal.id) await require(request, caller, vault, 'reid.request', { purpose: found.purpose });
    else await require(request, caller, vault, 'reid.approve', { purpose: found.purpose, beneficiary: found.requester });
    return requestView(vault, found, true);
  });

  for (const decision of ['approve', 'deny'] as const) {
    app.post(`/v1/linkage/requests/:id/${decision}`, { schema: { tags: ['linkage'], summary: `${decision === 'approve' ? 'Approve' : 'Deny (with an optional stated reason)'} as a second person (reid.approve; never the requester).`, params: Params, ...(decision === 'deny' ? { body: Deny } : {}) } }, async (request) => {
      const caller = await authenticate(request, access);
      const vault = await vaultOf();
      const found = await load(request, caller, vault, 'reid.approve');
      await require(request, caller, vault, 'reid.approve', { purpose: found.purpose, beneficiary: found.requester });
      if (decision === 'approve') await vault.approve({ requestId: found.id, approver: caller.principal.id });
      else {
        const reason = (request.body as Static<typeof Deny> | undefined)?.reason;
        await vault.deny({ requestId: found.id, approver: caller.principal.id, ...(reason === undefined ? {} : { reason }) });
      }
      return requestView(vault, (await vault.get(found.id)) ?? found, false);
    });
  }

  app.post('/v1/linkage/requests/:id/withdraw', { schema: { tags: ['linkage'], summary: 'Withdraw your own open or approved, not yet revealed request (reid.request); it can then be neither approved nor revealed.', params: Params } }, async (request) => {
    const caller = await authenticate(request, access);
    const vault = await vaultOf();
    const found = await load(request, caller, vault, 'reid.request');
    await require(request, caller, vault, 'reid.request', { purpose: found.purpose });
    // The vault refuses anyone but the requester (approval-denied) and records every attempt.
    return requestView(vault, await vault.withdraw({ requestId: found.id, actor: caller.principal.id }), false);
  });

  app.post('/v1/linkage/requests/:id/reveal', { schema: { tags: ['linkage'], summary: 'Reveal the original values: the requester, once, within the approval TTL, with the approved purpose (dataset.reidentify). Cache-Control: no-store.', params: Params } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const vault = await vaultOf();
    const found = await load(request, caller, vault, 'dataset.reidentify');
    const purpose = purposeOf(request);
    const approvedBy = found.status === 'approved' || found.status === 'revealed' ? found.decidedBy ?? undefined : undefined;
    await require(request, caller, vault, 'dataset.reidentify', { purpose, ...(approvedBy === undefined ? {} : { approvedBy }) });
    const revealed = await vault.reveal({ requestId: found.id, actor: caller.principal.id, ...(purpose === undefined ? {} : { purpose }) });
    // Original identifiers: no cache anywhere between here and the client (RFC 9111 §5.2.2.5).
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return { requestId: found.id, purpose: found.purpose, values: found.tokens.map((token) => ({ token, kind: revealed.get(token)?.kind ?? '', value: revealed.get(token)?.value ?? '' })) };
  });
}
