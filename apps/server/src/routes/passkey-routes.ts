import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError } from '@phiguard/access';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AccessServices } from '../http/access-services.ts';
import { bearerCredential } from '../http/authenticate.ts';

/** A WebAuthn credential answer as browsers serialize it (PublicKeyCredential.toJSON(), W3C WebAuthn Level 3 §5.1). */
export const WebAuthnResponse = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 1024 }),
  rawId: Type.String({ minLength: 1, maxLength: 1024 }),
  type: Type.Literal('public-key'),
  response: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown()),
  clientExtensionResults: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
}, { additionalProperties: false });
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
}

/** The `webauthn` member of an MFA body as the library's type (the schema checked its shape). */
export function assertionOf(value: Static<typeof WebAuthnResponse>): AuthenticationResponseJSON {
  return value as unknown as AuthenticationResponseJSON;
}
