import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError } from '@phiguard/access';
import type { AccessServices } from '../http/access-services.ts';
import { assertionOf, WebAuthnResponse } from '../routes/webauthn-response.ts';
import { LOOPBACK_REDIRECT_PATTERN, LoopbackCodes } from './loopback-codes.ts';
import { CODE_VERIFIER_PATTERN, LOGIN_STATE_PATTERN, S256_CHALLENGE_PATTERN } from './pkce.ts';

const State = Type.String({ pattern: LOGIN_STATE_PATTERN });
const RedirectUri = Type.String({ pattern: LOOPBACK_REDIRECT_PATTERN, maxLength: 100 });
const Authorize = Type.Object({
  challengeId: Type.String({ minLength: 1, maxLength: 64 }), webauthn: WebAuthnResponse, state: State,
  codeChallenge: Type.String({ pattern: S256_CHALLENGE_PATTERN }), codeChallengeMethod: Type.Literal('S256'), redirectUri: RedirectUri,
}, { additionalProperties: false });
const Exchange = Type.Object({
  code: Type.String({ minLength: 43, maxLength: 43 }), codeVerifier: Type.String({ pattern: CODE_VERIFIER_PATTERN }), state: State, redirectUri: RedirectUri,
}, { additionalProperties: false });

/**
 * The server's half of `phiguard login --passkey` (RFC 8252 loopback redirect, RFC 7636 PKCE):
 * the login page sends the password-verified challenge and the passkey assertion with the CLI's
 * state, S256 challenge and loopback address and gets a one-time code; the CLI exchanges that code
 * and its verifier for the session token. Only the CLI ever holds the session token.
 */
export function registerLoopbackLoginRoutes(app: FastifyInstance, access: AccessServices, limited: <T>(ip: string, work: () => Promise<T>) => Promise<T>): void {
  const codes = new LoopbackCodes(access.clock, (sessionId) => access.authenticator.logout(sessionId));

  app.post('/v1/auth/loopback/authorize', { schema: { tags: ['auth'], summary: 'Login page: password-verified challenge + passkey assertion → a one-time code (60 s) for the CLI\'s loopback address.', body: Authorize } }, async (request) => {
    if (access.webauthn === undefined) throw new AccessError('not-found', 'passkeys are not configured on this server', { place: { field: 'webauthn' } });
    const body = request.body as Static<typeof Authorize>;
    const done = await limited(request.ip, () => access.authenticator.completeMfa(body.challengeId, { webauthn: assertionOf(body.webauthn) }, request.id));
    const code = await codes.issue({ token: done.token, id: done.session.id }, { state: body.state, codeChallenge: body.codeChallenge, redirectUri: body.redirectUri });
    return { code, expiresInSeconds: 60 };
  });

  app.post('/v1/auth/loopback/token', { schema: { tags: ['auth'], summary: 'CLI: exchange the one-time code and the PKCE verifier for the session token (single use).', body: Exchange } }, async (request) => {
    const body = request.body as Static<typeof Exchange>;
    const sessionToken = await codes.redeem(body.code, body.codeVerifier, { state: body.state, redirectUri: body.redirectUri });
    return { sessionToken, idleTimeoutSeconds: access.authenticator.idleTimeoutMs / 1000 };
  });
}
