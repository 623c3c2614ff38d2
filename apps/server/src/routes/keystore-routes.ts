import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { KeysError } from '@phiguard/keys';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate, type Caller } from '../http/authenticate.ts';
import type { KeystoreAdmin } from '../http/keystore-admin.ts';
import { requireAllowed } from './admin-routes.ts';

const Principal = Type.String({ pattern: '^usr_[0-9a-hjkmnp-tv-z]{26}$' });
const Init = Type.Object({ custodians: Type.Array(Principal, { minItems: 2, maxItems: 255, uniqueItems: true }), threshold: Type.Integer({ minimum: 1, maximum: 255 }) }, { additionalProperties: false });
const Share = Type.Object({ share: Type.String({ pattern: '^pgks1-[0-9a-f]{2,1024}$' }) }, { additionalProperties: false });
// The keystore as a whole is one Cedar resource.
const KEYSTORE = { type: 'Key', id: 'keystore' } as const;

/**
 * `phiguard keys init|recover --server URL`: initialise the server's keystore or recover it from
 * custodian shares while it runs (HIPAA §164.312(a)(2)(iv), NIST SP 800-171 3.13.10). `key.manage`
 * (key custodians). Shares travel only in the init answer and the recover request bodies, which
 * are never logged; they are not ledgered (the ledger records counts and who).
 */
export function registerKeystoreRoutes(app: FastifyInstance, access: AccessServices, admin: KeystoreAdmin | undefined): void {
  const allowed = async (request: Parameters<typeof authenticate>[0], action: 'key.read' | 'key.manage'): Promise<Caller> => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, action, KEYSTORE, request.id);
    return caller;
  };
  const service = (): KeystoreAdmin => {
    if (admin === undefined) throw new ApiError('not-configured', 'this server does not manage a keystore');
    return admin;
  };

  app.get('/v1/keystore', { schema: { tags: ['keys'], summary: 'Whether the server\'s keystore is open, absent, locked (awaiting recovery shares) or has no unlock secret (key.read).' } }, async (request) => {
    await allowed(request, 'key.read');
    return service().status();
  });

  app.post('/v1/keystore/init', { schema: { tags: ['keys'], summary: 'Create the server\'s keystore under its configured unlock secret; answers the custodians\' recovery shares, once (key.manage).', body: Init } }, async (request, reply) => {
    const body = request.body as Static<typeof Init>;
    const caller = await allowed(request, 'key.manage');
    if (body.threshold > body.custodians.length) throw new ApiError('invalid-argument', 'threshold is larger than the number of custodians', { place: { field: 'threshold' } });
    // Shares go to people who can later act on them: existing, enabled key custodians.
    for (const id of body.custodians) {
      const user = await access.store.getUser(id);
      if (user === undefined || user.disabled || !user.roles.includes('key-custodian')) {
        throw new ApiError('invalid-argument', 'every custodian must be an enabled user with the key-custodian role', { place: { field: 'custodians' } });
      }
    }
    const admin = service();
    const { state } = await admin.status();
    if (state === 'no-secret') throw new ApiError('not-configured', 'start the server with PHIGUARD_KEYS_PASSPHRASE or PHIGUARD_KEYS_KEY_FILE to create its keystore');
    if (state !== 'absent') throw new KeysError('keystore-exists', 'this server already has a keystore', { place: { field: 'keystore' } });
    const { shares, shareThreshold } = await admin.init(caller.principal.id, body.custodians, body.threshold);
    return reply.code(201).send({ threshold: body.threshold, shareThreshold, shares: body.custodians.map((custodian, i) => ({ custodian, share: shares[i] })) });
  });

  app.post('/v1/keystore/recover', { schema: { tags: ['keys'], summary: 'Submit your recovery share (one per custodian, held in memory only); the last one needed recovers and opens the keystore (key.manage).', body: Share } }, async (request) => {
    const { share } = request.body as Static<typeof Share>;
    const caller = await allowed(request, 'key.manage');
    const admin = service();
    const { state } = await admin.status();
    if (state === 'open') throw new KeysError('keystore-exists', 'the keystore is open: there is nothing to recover', { place: { field: 'keystore' } });
    if (state !== 'locked') throw new ApiError('not-configured', 'recovery needs the server started in recovery mode with its new unlock secret (PHIGUARD_KEYS_RECOVER=1)');
    return admin.submitShare(caller.principal.id, share);
  });
}
