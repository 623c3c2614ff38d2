import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError } from '@phiguard/access';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AccessServices } from '../http/access-services.ts';
import { bearerCredential } from '../http/authenticate.ts';
import { registerLoopbackLoginRoutes } from '../web/loopback-routes.ts';
import { WebAuthnResponse } from './webauthn-response.ts';

export { assertionOf, WebAuthnResponse } from './webauthn-response.ts';

const PasskeyChallenge = Type.Object({ challengeId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/** Registering a passkey adds a way in: the session's second factor must be this recent. */
export const PASSKEY_REGISTRATION_MFA_MAX_AGE_MS = 5 * 60_000;

/**
 * Passkeys over HTTP (issue 7): registration inside a session with a recent second factor, and the
 * options of a login's passkey step (the assertion itself goes to POST /v1/auth/mfa as `webauthn`).
 * Challenges are one-time and expire after 5 minutes; signature counters must grow.
 */
export function registerPasskeyRoutes(app: FastifyInstance, access: AccessServices, limited: <T>(ip: string, work: () => Promise<T>) => Promise<T>): void {
  const factor = (): NonNullable<AccessServices['webauthn']> => {
    if (access.webauthn === undefined) throw new AccessError('not-found', 'passkeys are not configured on this server', { place: { field: 'webauthn' } });
    return access.webauthn;
  };
  const recentSession = async (credential: string): Promise<Awaited<ReturnType<AccessServices['authenticator']['resumeSession']>>> => {
    const resumed = await access.authenticator.resumeSession(credential);
    if (access.clock.nowMs() - resumed.session.mfaMs > PASSKEY_REGISTRATION_MFA_MAX_AGE_MS) {
      throw new AccessError('mfa-required', 'prove a second factor again (POST /v1/auth/reauth) before adding a passkey', { place: { field: 'session' } });
    }
    return resumed;
  };

  app.post('/v1/auth/passkeys/registration-options', { schema: { tags: ['auth'], summary: 'Start registering a passkey (session token; second factor within 5 minutes). Answers PublicKeyCredentialCreationOptionsJSON.' } }, async (request) => {
    const webauthn = factor();
    const { user } = await recentSession(bearerCredential(request));
    return webauthn.registrationOptions(user);
  });

  app.post('/v1/auth/passkeys', { schema: { tags: ['auth'], summary: 'Finish registering a passkey with the authenticator\'s attestation (session token).', body: WebAuthnResponse } }, async (request, reply) => {
    const webauthn = factor();
    const { user } = await recentSession(bearerCredential(request));
    const id = await limited(request.ip, () => webauthn.register(user, request.body as RegistrationResponseJSON));
    return reply.code(201).send({ id });
  });

  app.post('/v1/auth/passkey-options', { schema: { tags: ['auth'], summary: 'Login step 2 with a passkey: assertion options for a password-verified challenge. Send the assertion to /v1/auth/mfa as `webauthn`.', body: PasskeyChallenge } }, async (request) => {
    factor();
    const { challengeId } = request.body as Static<typeof PasskeyChallenge>;
    return limited(request.ip, () => access.authenticator.passkeyOptions(challengeId));
  });

  // `phiguard login --passkey`: the login page's code for the CLI, and the CLI's exchange.
  registerLoopbackLoginRoutes(app, access, limited);
}
