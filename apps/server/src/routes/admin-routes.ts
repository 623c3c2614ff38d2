import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError, ROLES, type Action, type ResourceRef } from '@phiguard/access';
import { newId } from '@phiguard/core';
import type { AccessServices } from '../http/access-services.ts';
import { authenticate, purposeOf, type Caller } from '../http/authenticate.ts';

const RoleList = Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { maxItems: ROLES.length, uniqueItems: true });
const NewUser = Type.Object({ username: Type.String({ pattern: '^[a-z][a-z0-9._-]{2,63}$' }), password: Type.String({ minLength: 1, maxLength: 256 }), roles: RoleList, custodianOf: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })) }, { additionalProperties: false });
const NewAccount = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9._-]{2,63}$' }), roles: RoleList }, { additionalProperties: false });
const NewKey = Type.Object({ scopes: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 }), ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })) }, { additionalProperties: false });
const Id = Type.Object({ id: Type.String({ pattern: '^[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{26}$' }) });

/** Decides with Cedar (recorded in the ledger) and throws `forbidden` on deny. */
export async function requireAllowed(access: AccessServices, caller: Caller, action: Action, resource: ResourceRef, requestId: string, extra: { purpose?: ReturnType<typeof purposeOf>; beneficiary?: string } = {}): Promise<void> {
  const d = await access.authorizer.decide({ principal: caller.principal, action, resource, scopes: caller.scopes, mfaMs: caller.mfaMs, requestId, ...extra });
  if (!d.allowed) throw new AccessError('forbidden', `not allowed: ${action}`, { place: { field: 'action' } });
}

/** whoami, users, service accounts and their API keys (HIPAA §164.308(a)(4) access management). */
export function registerAdminRoutes(app: FastifyInstance, access: AccessServices): void {
  app.get('/v1/whoami', { schema: { tags: ['users'], summary: 'The caller: id, kind, roles.' } }, async (request) => {
    const caller = await authenticate(request, access);
    return { id: caller.principal.id, kind: caller.principal.kind, roles: caller.principal.roles, ...(caller.scopes === undefined ? {} : { scopes: caller.scopes }) };
  });

  app.post('/v1/users', { schema: { tags: ['users'], summary: 'Create a user (admin). TOTP is enrolled at their first login.', body: NewUser } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const body = request.body as Static<typeof NewUser>;
    await requireAllowed(access, caller, 'user.manage', { type: 'User', id: 'new' }, request.id);
    const user = await access.authenticator.createUser({ username: body.username, password: body.password, roles: body.roles, custodianOf: body.custodianOf ?? [] }, caller.principal);
    return reply.code(201).send({ id: user.id, roles: user.roles });
  });

  app.get('/v1/users', { schema: { tags: ['users'], summary: 'List users (admin, security officer).' } }, async (request) => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'user.read', { type: 'User', id: 'all' }, request.id);
    return (await access.store.listUsers()).map((u) => ({ id: u.id, username: u.username, roles: u.roles, mfaEnrolled: u.totpSecret !== undefined, locked: u.lockedUntilMs > access.clock.nowMs(), disabled: u.disabled }));
  });

  app.post('/v1/service-accounts', { schema: { tags: ['api-keys'], summary: 'Create a service account (admin).', body: NewAccount } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const body = request.body as Static<typeof NewAccount>;
    await requireAllowed(access, caller, 'user.manage', { type: 'ServiceAccount', id: 'new' }, request.id);
    const account = { id: newId('svc', access.clock), name: body.name, roles: body.roles, disabled: false, createdMs: access.clock.nowMs() };
    await access.store.createServiceAccount(account);
    return reply.code(201).send({ id: account.id, roles: account.roles });
  });

  app.post('/v1/service-accounts/:id/api-keys', { schema: { tags: ['api-keys'], summary: 'Issue an API key (shown once).', params: Id, body: NewKey } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const { id } = request.params as Static<typeof Id>;
    const body = request.body as Static<typeof NewKey>;
    await requireAllowed(access, caller, 'apikey.manage', { type: 'ServiceAccount', id }, request.id);
    const issued = await access.apiKeys.create(id, body.scopes, caller.principal, (body.ttlDays ?? 90) * 24 * 3600_000);
    return reply.code(201).send({ id: issued.record.id, key: issued.key, scopes: issued.record.scopes, expiresAt: new Date(issued.record.expiresMs).toISOString() });
  });

  app.get('/v1/service-accounts/:id/api-keys', { schema: { tags: ['api-keys'], summary: 'List a service account\'s keys (never the secrets).', params: Id } }, async (request) => {
    const caller = await authenticate(request, access);
    const { id } = request.params as Static<typeof Id>;
    await requireAllowed(access, caller, 'apikey.manage', { type: 'ServiceAccount', id }, request.id);
    return (await access.store.listApiKeys(id)).map((k) => ({ id: k.id, scopes: k.scopes, createdAt: new Date(k.createdMs).toISOString(), expiresAt: new Date(k.expiresMs).toISOString(), revoked: k.revokedMs !== undefined }));
  });

  app.post('/v1/api-keys/:id/rotate', { schema: { tags: ['api-keys'], summary: 'Replace a key with a new one (same scopes); the old one stops working.', params: Id } }, async (request) => {
    const caller = await authenticate(request, access);
    const { id } = request.params as Static<typeof Id>;
    const old = await access.store.getApiKey(id);
    if (old === undefined) throw new AccessError('not-found', 'no such API key', { place: { field: 'id' } });
    await requireAllowed(access, caller, 'apikey.manage', { type: 'ServiceAccount', id: old.accountId }, request.id);
    const issued = await access.apiKeys.rotate(id, caller.principal);
    return { id: issued.record.id, key: issued.key, expiresAt: new Date(issued.record.expiresMs).toISOString() };
  });

  app.delete('/v1/api-keys/:id', { schema: { tags: ['api-keys'], summary: 'Revoke a key.', params: Id } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const { id } = request.params as Static<typeof Id>;
    const old = await access.store.getApiKey(id);
    if (old === undefined) throw new AccessError('not-found', 'no such API key', { place: { field: 'id' } });
    await requireAllowed(access, caller, 'apikey.manage', { type: 'ServiceAccount', id: old.accountId }, request.id);
    await access.apiKeys.revoke(id, caller.principal);
    return reply.code(204).send();
  });
}
