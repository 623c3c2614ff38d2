import type { FastifyRequest } from 'fastify';
import { AccessError, isAction, type Principal } from '@phiguard/access';
import { isPurposeOfUse, type PurposeOfUse } from '@phiguard/audit';
import type { AccessServices } from './access-services.ts';

/** Who made a request, from a verified access token, with the credential's constraints. */
export interface Caller {
  readonly principal: Principal;
  /** The session or API key behind the token. */
  readonly source: string;
  readonly scopes: readonly string[] | undefined;
  /** When the user last proved a second factor (sessions only). */
  readonly mfaMs: number | undefined;
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([!-~]+)$/.exec(header) : null;
  if (match?.[1] === undefined) throw new AccessError('token-invalid', 'missing bearer credentials', { place: { field: 'authorization' } });
  return match[1];
}

export function bearerCredential(request: FastifyRequest): string {
  return bearer(request);
}

/**
 * Verifies the access token (signature, kid, expiry) and that what it was exchanged from is still
 * valid: a session not logged out nor idle (the request counts as activity), an API key not
 * revoked nor expired. Then loads the principal's current roles.
 */
export async function authenticate(request: FastifyRequest, access: AccessServices): Promise<Caller> {
  const claims = await access.tokens.verify(bearer(request));
  const refused = (): AccessError => new AccessError('token-invalid', 'access token no longer valid', { place: { field: 'authorization' } });
  const now = access.clock.nowMs();
  if (claims.kind === 'user') {
    const session = await access.store.getSession(claims.source);
    if (session?.userId !== claims.sub || !access.authenticator.isActive(session)) throw refused();
    const user = await access.store.getUser(claims.sub);
    if (user === undefined || user.disabled) throw refused();
    // Activity is recorded at 30-second granularity (one write per session per 30 s, not per request);
    // the idle timeout (minutes) is unaffected in practice.
    if (now - session.lastSeenMs >= 30_000) await access.store.touchSession(session.id, { lastSeenMs: now });
    return { principal: { kind: 'user', id: user.id, roles: user.roles, custodianOf: user.custodianOf }, source: session.id, scopes: undefined, mfaMs: session.mfaMs };
  }
  const key = await access.store.getApiKey(claims.source);
  if (key?.accountId !== claims.sub || key.revokedMs !== undefined || now >= key.expiresMs) throw refused();
  const account = await access.store.getServiceAccount(key.accountId);
  if (account === undefined || account.disabled) throw refused();
  return { principal: { kind: 'service', id: account.id, roles: account.roles, custodianOf: [] }, source: key.id, scopes: key.scopes.filter(isAction), mfaMs: undefined };
}

/** The purpose of use a data request states in `X-Purpose-Of-Use` (HL7 v3 ActReason). */
export function purposeOf(request: FastifyRequest): PurposeOfUse | undefined {
  const value = request.headers['x-purpose-of-use'];
  if (value === undefined) return undefined;
  if (!isPurposeOfUse(value)) throw new AccessError('forbidden', 'unknown purpose of use', { place: { field: 'x-purpose-of-use' } });
  return value;
}
