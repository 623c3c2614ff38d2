import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError, API_KEY_PREFIX, FailureLimiter, type FailureLimit, type SecondFactor } from '@phiguard/access';
import type { AccessServices } from '../http/access-services.ts';
import { bearerCredential } from '../http/authenticate.ts';
import { assertionOf, registerPasskeyRoutes, WebAuthnResponse } from './passkey-routes.ts';

const Login = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
const Factor = Type.Object({ totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })), recoveryCode: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false });
const Mfa = Type.Object({
  challengeId: Type.String({ minLength: 1, maxLength: 64 }), totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })), recoveryCode: Type.Optional(Type.String({ maxLength: 32 })),
  webauthn: Type.Optional(WebAuthnResponse),
}, { additionalProperties: false });

function factorOf(body: Static<typeof Factor> & { readonly webauthn?: Static<typeof WebAuthnResponse> }): SecondFactor {
  if (body.totp !== undefined) return { totp: body.totp };
  if (body.recoveryCode !== undefined) return { recoveryCode: body.recoveryCode };
  if (body.webauthn !== undefined) return { webauthn: assertionOf(body.webauthn) };
  throw new AccessError('mfa-required', 'a one-time code, a recovery code or a passkey assertion is needed', { place: { field: 'totp' } });
}

/** Login (password, then second factor), token exchange, logout, fresh MFA, JWKS (HIPAA §164.312(d)). */
export function registerAuthRoutes(app: FastifyInstance, access: AccessServices, limit?: FailureLimit): void {
  const limiter = new FailureLimiter(access.clock, limit);
  const COUNTED = new Set(['invalid-credentials', 'mfa-invalid', 'mfa-replayed', 'account-locked', 'mfa-required']);
  // Per client address: too many failed logins or codes → 429 before any password is checked.
  const limited = async <T>(ip: string, work: () => Promise<T>): Promise<T> => {
    if (limiter.blocked(ip)) throw new AccessError('rate-limited', 'too many failed attempts from this address; wait a minute', { place: { field: 'client' } });
    try {
      return await work();
    } catch (error) {
      if (error instanceof AccessError && COUNTED.has(error.code)) limiter.fail(ip);
      throw error;
    }
  };
  app.post('/v1/auth/login', { schema: { tags: ['auth'], summary: 'Step 1: password. Answers a second-factor challenge (with TOTP enrolment at first login).', body: Login } }, async (request) => {
    const body = request.body as Static<typeof Login>;
    const challenge = await limited(request.ip, () => access.authenticator.login(body.username, body.password, request.id));
    return { challengeId: challenge.challengeId, ...(challenge.enrolment === undefined ? {} : { enrolment: challenge.enrolment }) };
  });

  registerPasskeyRoutes(app, access, limited);

  app.post('/v1/auth/mfa', { schema: { tags: ['auth'], summary: 'Step 2: TOTP, recovery code or passkey assertion (`webauthn`, after /v1/auth/passkey-options). Opens a session.', body: Mfa } }, async (request) => {
    const body = request.body as Static<typeof Mfa>;
    const done = await limited(request.ip, () => access.authenticator.completeMfa(body.challengeId, factorOf(body), request.id));
    return { sessionToken: done.token, idleTimeoutSeconds: access.authenticator.idleTimeoutMs / 1000, ...(done.recoveryCodes === undefined ? {} : { recoveryCodes: done.recoveryCodes }) };
  });

  app.post('/v1/auth/token', { schema: { tags: ['auth'], summary: 'Exchange a session token or an API key (Authorization: Bearer) for a short-lived access token.' } }, async (request) => {
    const credential = bearerCredential(request);
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await access.apiKeys.verify(credential);
      const account = await access.store.getServiceAccount(key.accountId);
      if (account === undefined || account.disabled) throw new AccessError('api-key-invalid', 'API key refused: account disabled', { place: { field: 'authorization' } });
      const { token, expMs } = await access.tokens.issue({ sub: account.id, kind: 'service', source: key.id, scopes: key.scopes });
      return { accessToken: token, tokenType: 'Bearer', expiresAt: new Date(expMs).toISOString() };
    }
    const { session, user } = await access.authenticator.resumeSession(credential);
    const { token, expMs } = await access.tokens.issue({ sub: user.id, kind: 'user', source: session.id, scopes: [] });
    return { accessToken: token, tokenType: 'Bearer', expiresAt: new Date(expMs).toISOString() };
  });

  app.post('/v1/auth/reauth', { schema: { tags: ['auth'], summary: 'Prove a second factor again inside a session (break-glass needs a fresh one).', body: Factor } }, async (request, reply) => {
    const { session } = await access.authenticator.resumeSession(bearerCredential(request));
    await access.authenticator.reauthenticate(session.id, factorOf(request.body as Static<typeof Factor>), request.id);
    return reply.code(204).send();
  });

  app.post('/v1/auth/logout', { schema: { tags: ['auth'], summary: 'End the session (its access tokens stop working at once).' } }, async (request, reply) => {
    const { session } = await access.authenticator.resumeSession(bearerCredential(request));
    await access.authenticator.logout(session.id);
    return reply.code(204).send();
  });

  app.get('/.well-known/jwks.json', { schema: { tags: ['auth'], summary: 'Public keys that verify access tokens (RFC 7517).' } }, () => access.tokens.jwks());
}
