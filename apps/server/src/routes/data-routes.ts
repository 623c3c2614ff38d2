import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError } from '@phiguard/access';
import { PURPOSES_OF_USE } from '@phiguard/audit';
import type { AccessServices, DatasetCatalog } from '../http/access-services.ts';
import { authenticate, purposeOf } from '../http/authenticate.ts';
import { requireAllowed } from './admin-routes.ts';

const IdPattern = '^[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{26}$';
const Id = Type.Object({ id: Type.String({ pattern: IdPattern }) });
const Purpose = Type.Union(PURPOSES_OF_USE.map((p) => Type.Literal(p)));
const NewGrant = Type.Object({
  grantee: Type.String({ pattern: IdPattern }), datasetId: Type.String({ pattern: IdPattern }),
  action: Type.Union([Type.Literal('dataset.read'), Type.Literal('dataset.write')]), purpose: Purpose, expiresAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });
const NewBreakGlass = Type.Object({ datasetId: Type.String({ pattern: IdPattern }), reason: Type.Union(['ETREAT', 'BTG', 'TREAT', 'PUBHLTH'].map((r) => Type.Literal(r))) }, { additionalProperties: false });
const PurposeHeader = Type.Object({ 'x-purpose-of-use': Type.Optional(Purpose) });

/** Grants, break-glass, and the dataset read route (every decision is an authz.decide ledger event). */
export function registerDataRoutes(app: FastifyInstance, access: AccessServices, datasets: DatasetCatalog | undefined, authorization: 'on' | 'off'): void {
  app.get('/v1/datasets/:id', { schema: { tags: ['datasets'], summary: 'Dataset metadata. Needs X-Purpose-Of-Use.', params: Id, headers: PurposeHeader } }, async (request) => {
    const { id } = request.params as Static<typeof Id>;
    const found = await datasets?.get(id);
    if (authorization === 'on') {
      const caller = await authenticate(request, access);
      await requireAllowed(access, caller, 'dataset.read', { type: 'Dataset', id, sealedBy: found?.sealedBy ?? [] }, request.id, { purpose: purposeOf(request) });
    }
    if (found === undefined) throw new AccessError('not-found', 'no such dataset', { place: { field: 'id' } });
    return found;
  });

  app.post('/v1/grants', { schema: { tags: ['grants'], summary: 'Grant one action on one dataset for one purpose until a time (data steward).', body: NewGrant } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const body = request.body as Static<typeof NewGrant>;
    const grant = await access.authorizer.grant({
      principal: caller.principal, action: 'grant.create', resource: { type: 'Dataset', id: body.datasetId }, purpose: body.purpose, scopes: caller.scopes, mfaMs: caller.mfaMs,
      requestId: request.id, grantee: body.grantee, grantedAction: body.action, expiresMs: Date.parse(body.expiresAt),
    });
    return reply.code(201).send({ id: grant.id, expiresAt: new Date(grant.expiresMs).toISOString() });
  });

  app.get('/v1/grants', { schema: { tags: ['grants'], summary: 'All grants, active and past (visible to stewards and security officers).' } }, async (request) => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'grant.read', { type: 'Grant', id: 'all' }, request.id);
    const now = access.clock.nowMs();
    return (await access.store.listGrants({})).map((g) => ({
      id: g.id, grantee: g.principalId, action: g.action, datasetId: g.resourceId, purpose: g.purpose, grantedBy: g.grantedBy,
      expiresAt: new Date(g.expiresMs).toISOString(), active: g.revokedMs === undefined && now < g.expiresMs,
    }));
  });

  app.delete('/v1/grants/:id', { schema: { tags: ['grants'], summary: 'Revoke a grant.', params: Id } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const { id } = request.params as Static<typeof Id>;
    await access.authorizer.revokeGrant({ principal: caller.principal, action: 'grant.revoke', resource: { type: 'Grant', id }, scopes: caller.scopes, requestId: request.id, grantId: id });
    return reply.code(204).send();
  });

  app.post('/v1/break-glass', { schema: { tags: ['break-glass'], summary: 'Emergency access to one dataset for 30 minutes: needs a reason code and a second factor from the last 5 minutes.', body: NewBreakGlass } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const body = request.body as Static<typeof NewBreakGlass>;
    const episode = await access.authorizer.breakGlass({ principal: caller.principal, action: 'breakglass.start', resource: { type: 'Dataset', id: body.datasetId }, mfaMs: caller.mfaMs, scopes: caller.scopes, reason: body.reason, requestId: request.id });
    return reply.code(201).send({ id: episode.id, expiresAt: new Date(episode.expiresMs).toISOString() });
  });

  app.get('/v1/break-glass/review-queue', { schema: { tags: ['break-glass'], summary: 'Episodes waiting for review (security officer).' } }, async (request) => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'breakglass.review', { type: 'BreakGlass', id: 'queue' }, request.id);
    return (await access.store.listBreakGlass({ unreviewedOnly: true })).map((b) => ({ id: b.id, userId: b.userId, reason: b.reason, datasetId: b.resourceId, startedAt: new Date(b.startedMs).toISOString(), expiresAt: new Date(b.expiresMs).toISOString() }));
  });

  app.post('/v1/break-glass/:id/review', { schema: { tags: ['break-glass'], summary: 'Mark an episode reviewed (not by the person who broke the glass).', params: Id } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const { id } = request.params as Static<typeof Id>;
    await access.authorizer.reviewBreakGlass({ principal: caller.principal, action: 'breakglass.review', resource: { type: 'BreakGlass', id }, mfaMs: caller.mfaMs, requestId: request.id, episodeId: id });
    return reply.code(204).send();
  });
}
