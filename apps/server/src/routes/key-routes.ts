import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { KeyManager, KeyMetadata } from '@phiguard/keys';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate, type Caller } from '../http/authenticate.ts';
import type { RemoteServices } from '../http/remote-services.ts';
import { requireAllowed } from './admin-routes.ts';
import { registerDataKeyRoutes } from './data-key-routes.ts';
import { registerKeystoreRoutes } from './keystore-routes.ts';

const KeyId = Type.String({ pattern: '^[a-z][a-z0-9._-]{0,63}$' });
const KeyParams = Type.Object({ keyId: KeyId });
const RequestParams = Type.Object({ requestId: Type.String({ pattern: '^[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{26}$' }) });
const NewKey = Type.Object({ keyId: KeyId, rotateEveryDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 36500 })) }, { additionalProperties: false });
const Rotate = Type.Object({ due: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Wrapped = Type.Object({ provider: Type.String({ maxLength: 64 }), keyId: KeyId, version: Type.Integer({ minimum: 1 }), wrapped: Type.String({ maxLength: 4096, contentEncoding: 'base64' }) }, { additionalProperties: false });
const Rewrap = Type.Object({ items: Type.Array(Wrapped, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false });
const DestroyRequest = Type.Object({ keyId: KeyId, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });

/** Key metadata for the wire (no key material exists in it). */
function keyView(k: KeyMetadata): Record<string, unknown> {
  return { keyId: k.keyId, provider: k.provider, state: k.state, latestVersion: k.latestVersion, minDecryptVersion: k.minDecryptVersion, createdAtMs: k.createdAtMs, versions: k.versions };
}

/**
 * `phiguard keys … --server URL`: the server's keystore (HIPAA §164.312(a)(2)(iv)). Reads need
 * `key.read`, changes `key.manage` (key custodians); the acting principal is the caller's token,
 * and dual control (request, approve by other custodians, destroy) is the keystore's own. Data keys
 * for client-side seal/unseal (data-key-routes.ts) and the keystore's own init/recover
 * (keystore-routes.ts) are registered here too.
 */
export function registerKeyRoutes(app: FastifyInstance, access: AccessServices, remote: RemoteServices): void {
  const withKeys = <T>(work: (m: KeyManager) => Promise<T>): Promise<T> => {
    if (remote.keys === undefined) throw new ApiError('not-configured', 'this server has no keystore (start it with PHIGUARD_KEYS_PASSPHRASE or PHIGUARD_KEYS_KEY_FILE)');
    return remote.keys(work);
  };
  registerDataKeyRoutes(app, access, withKeys);
  registerKeystoreRoutes(app, access, remote.keystore);
  const allowed = async (request: FastifyRequest, action: 'key.read' | 'key.manage', keyId: string): Promise<Caller> => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, action, { type: 'Key', id: keyId }, request.id);
    return caller;
  };

  app.get('/v1/keys', { schema: { tags: ['keys'], summary: 'Keys with their versions and state, and the open dual-control requests (key.read).' } }, async (request) => {
    await allowed(request, 'key.read', 'all');
    return withKeys((m) => Promise.resolve({ keys: m.list().map(keyView), requests: m.listRequests(), threshold: m.custodians.threshold }));
  });

  app.get('/v1/keys/:keyId', { schema: { tags: ['keys'], summary: 'One key (key.read).', params: KeyParams } }, async (request) => {
    const { keyId } = request.params as Static<typeof KeyParams>;
    await allowed(request, 'key.read', keyId);
    return withKeys((m) => Promise.resolve(keyView(m.describe(keyId))));
  });

  app.post('/v1/keys', { schema: { tags: ['keys'], summary: 'Create a key-encryption key, version 1 (key.manage).', body: NewKey } }, async (request, reply) => {
    const body = request.body as Static<typeof NewKey>;
    const caller = await allowed(request, 'key.manage', body.keyId);
    const meta = await withKeys((m) => m.createKey(caller.principal.id, body.keyId, body.rotateEveryDays === undefined ? {} : { rotationPeriodMs: body.rotateEveryDays * 86_400_000 }));
    return reply.code(201).send(keyView(meta));
  });

  app.post('/v1/keys/:keyId/rotate', { schema: { tags: ['keys'], summary: 'Add a key version (key.manage).', params: KeyParams } }, async (request) => {
    const { keyId } = request.params as Static<typeof KeyParams>;
    const caller = await allowed(request, 'key.manage', keyId);
    return keyView(await withKeys((m) => m.rotate(caller.principal.id, keyId)));
  });

  app.post('/v1/keys/rotate-due', { schema: { tags: ['keys'], summary: 'Rotate every key whose rotation period has passed (key.manage).', body: Rotate } }, async (request) => {
    const caller = await allowed(request, 'key.manage', 'all');
    return (await withKeys((m) => m.rotateDue(caller.principal.id))).map(keyView);
  });

  app.post('/v1/keys/rewrap', { schema: { tags: ['keys'], summary: 'Re-wrap wrapped data keys under the newest key versions (no data is sent, only wrapped DEKs) (key.manage).', body: Rewrap } }, async (request) => {
    const { items } = request.body as Static<typeof Rewrap>;
    // One decision per key the items are wrapped under.
    const caller = await authenticate(request, access);
    for (const keyId of new Set(items.map((i) => i.keyId))) await requireAllowed(access, caller, 'key.manage', { type: 'Key', id: keyId }, request.id);
    const results = await withKeys((m) => m.rewrap(caller.principal.id, items.map((i) => ({ ...i, wrapped: Buffer.from(i.wrapped, 'base64') }))));
    return results.map((r) => (r.ok ? { ok: true, changed: r.changed, wrapped: { ...r.wrapped, wrapped: Buffer.from(r.wrapped.wrapped).toString('base64') } } : { ok: false, code: r.code }));
  });

  app.post('/v1/keys/requests', { schema: { tags: ['keys'], summary: 'Ask the custodians to approve destroying a key or one version (key.manage).', body: DestroyRequest } }, async (request, reply) => {
    const body = request.body as Static<typeof DestroyRequest>;
    const caller = await allowed(request, 'key.manage', body.keyId);
    const [view, threshold] = await withKeys(async (m) => [await m.request(caller.principal.id, 'destroy', body.keyId, body.version ?? null), m.custodians.threshold] as const);
    return reply.code(201).send({ ...view, threshold });
  });

  app.post('/v1/keys/requests/:requestId/approve', { schema: { tags: ['keys'], summary: 'Approve a request as a key custodian, not your own, once (key.manage).', params: RequestParams } }, async (request) => {
    const { requestId } = request.params as Static<typeof RequestParams>;
    const caller = await allowed(request, 'key.manage', requestId);
    const [view, threshold] = await withKeys(async (m) => [await m.approve(caller.principal.id, requestId), m.custodians.threshold] as const);
    return { ...view, threshold };
  });

  app.post('/v1/keys/requests/:requestId/destroy', { schema: { tags: ['keys'], summary: 'Carry out an approved destroy request: crypto-shredding (key.manage).', params: RequestParams } }, async (request) => {
    const { requestId } = request.params as Static<typeof RequestParams>;
    const caller = await allowed(request, 'key.manage', requestId);
    return keyView(await withKeys((m) => m.destroy(caller.principal.id, requestId)));
  });
}
