import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { decryptDataKey, issueDataKey, KeysError, type DataKeyCaller, type KeyManager } from '@phiguard/keys';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate, purposeOf } from '../http/authenticate.ts';
import { requireAllowed } from './admin-routes.ts';

const KeyParams = Type.Object({ keyId: Type.String({ pattern: '^[a-z][a-z0-9._-]{0,63}$' }) });
const Decrypt = Type.Object({ provider: Type.String({ maxLength: 64 }), version: Type.Integer({ minimum: 1 }), wrapped: Type.String({ maxLength: 4096, contentEncoding: 'base64' }) }, { additionalProperties: false });

/**
 * Data keys for sealing and unsealing on the caller's machine (`phiguard keys seal|unseal
 * --server`), the AWS KMS GenerateDataKey / Decrypt pattern: the file never comes here, only a
 * data key leaves, inside TLS 1.3, in an answer that is `no-store` and never logged. `key.use`
 * with a purpose of use; each issue or decrypt is a ledger entry as the caller (never the key).
 */
export function registerDataKeyRoutes(app: FastifyInstance, access: AccessServices, withKeys: <T>(work: (m: KeyManager) => Promise<T>) => Promise<T>): void {
  const callerOf = async (request: Parameters<typeof authenticate>[0], keyId: string): Promise<DataKeyCaller> => {
    const caller = await authenticate(request, access);
    const purpose = purposeOf(request);
    await requireAllowed(access, caller, 'key.use', { type: 'Key', id: keyId }, request.id, { purpose });
    return { actor: { kind: caller.principal.kind === 'user' ? 'user' : 'service', id: caller.principal.id }, requestId: request.id, ...(purpose === undefined ? {} : { purpose }) };
  };

  app.post('/v1/keys/:keyId/generate-data-key', { schema: { tags: ['keys'], summary: 'A fresh data key and its wrap under the newest key version, to seal with on the client (key.use, purpose of use).', params: KeyParams } }, async (request) => {
    const { keyId } = request.params as Static<typeof KeyParams>;
    const caller = await callerOf(request, keyId);
    const dataKey = await withKeys((m) => issueDataKey(m, caller, keyId));
    try {
      const w = dataKey.wrapped;
      return { plaintext: dataKey.plaintext.toString('base64'), wrapped: { provider: w.provider, keyId: w.keyId, version: w.version, wrapped: Buffer.from(w.wrapped).toString('base64') } };
    } finally {
      dataKey.plaintext.fill(0);
    }
  });

  app.post('/v1/keys/:keyId/decrypt-data-key', { schema: { tags: ['keys'], summary: 'Unwrap a data key from an envelope header, to unseal with on the client; refused for destroyed, disabled or below-minimum versions (key.use, purpose of use).', params: KeyParams, body: Decrypt } }, async (request) => {
    const { keyId } = request.params as Static<typeof KeyParams>;
    const body = request.body as Static<typeof Decrypt>;
    const caller = await callerOf(request, keyId);
    let plaintext: Buffer;
    try {
      plaintext = await withKeys((m) => decryptDataKey(m, caller, { provider: body.provider, keyId, version: body.version, wrapped: Buffer.from(body.wrapped, 'base64') }));
    } catch (error) {
      // A wrapped key that does not authenticate is the caller's bad input, not a server fault.
      if (error instanceof KeysError && error.code === 'unwrap-failed') throw new ApiError('invalid-argument', 'the wrapped data key does not authenticate under this key version', { place: { field: 'wrapped' } });
      throw error;
    }
    try {
      return { plaintext: plaintext.toString('base64') };
    } finally {
      plaintext.fill(0);
    }
  });
}
