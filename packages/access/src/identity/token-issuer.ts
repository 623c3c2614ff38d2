import { exportJWK, generateKeyPair, jwtVerify, SignJWT, errors as joseErrors, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { newId, type Clock } from '@phiguard/core';
import { AccessError } from '../access-error.ts';
import type { PrincipalKind } from './principal.ts';

/** Claims of a PHIGuard access token (RFC 9068 JWT profile for OAuth 2.0 access tokens, trimmed). */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly kind: PrincipalKind;
  /** The session (`ses_…`) or API key (`apk_…`) it was exchanged from; checked on every use. */
  readonly source: string;
  readonly scopes: readonly string[];
  readonly jti: string;
  readonly expMs: number;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKey;
}

export const DEFAULT_TOKEN_TTL_MS = 5 * 60_000;
const ISSUER = 'phiguard';
const AUDIENCE = 'phiguard-api';

/**
 * Short-lived EdDSA (Ed25519, RFC 8037) access tokens. Keys live in memory and rotate: a rotated
 * key keeps verifying until {@link retire} (callers retire it after one token lifetime), then its
 * tokens are refused. `jwks()` publishes the verifying keys (RFC 7517 §5).
 */
export class TokenIssuer {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #keys: SigningKey[] = [];

  private constructor(clock: Clock, ttlMs: number) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  static async create(clock: Clock, ttlMs = DEFAULT_TOKEN_TTL_MS): Promise<TokenIssuer> {
    const issuer = new TokenIssuer(clock, ttlMs);
    await issuer.rotate();
    return issuer;
  }

  /** Makes a new signing key current; returns its kid. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = newId('jwk', this.#clock);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
    this.#keys = [{ kid, privateKey, publicKey, publicJwk }, ...this.#keys];
    return kid;
  }

  /** Stops accepting tokens signed by every key but the current one. */
  retireOld(): void {
    this.#keys = this.#keys.slice(0, 1);
  }

  jwks(): { readonly keys: readonly JWK[] } {
    return { keys: this.#keys.map((k) => k.publicJwk) };
  }

  async issue(claims: { readonly sub: string; readonly kind: PrincipalKind; readonly source: string; readonly scopes: readonly string[] }): Promise<{ readonly token: string; readonly expMs: number }> {
    const key = this.#keys[0];
    if (key === undefined) throw new TypeError('TokenIssuer has no key');
    const nowS = Math.floor(this.#clock.nowMs() / 1000);
    const expS = nowS + Math.floor(this.#ttlMs / 1000);
    const token = await new SignJWT({ kind: claims.kind, src: claims.source, scope: claims.scopes.join(' ') })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(claims.sub).setJti(newId('tok', this.#clock))
      .setIssuedAt(nowS).setExpirationTime(expS)
      .sign(key.privateKey);
    return { token, expMs: expS * 1000 };
  }

  /** Verifies signature, kid, issuer, audience, type and expiry; throws `token-invalid` otherwise. */
  async verify(token: string): Promise<AccessTokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => {
        const key = this.#keys.find((k) => k.kid === header.kid);
        if (key === undefined) throw new AccessError('token-invalid', 'access token signed by an unknown or retired key', { place: { field: 'kid' } });
        return key.publicKey;
      }, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['EdDSA'], typ: 'at+jwt', currentDate: this.#clock.now(), clockTolerance: 0 }));
    } catch (error) {
      if (error instanceof AccessError) throw error;
      const reason = error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid';
      throw new AccessError('token-invalid', `access token ${reason}`, { place: { field: 'authorization' } });
    }
    const { sub, jti, exp, kind, src, scope } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || (kind !== 'user' && kind !== 'service') || typeof src !== 'string' || typeof scope !== 'string') {
      throw new AccessError('token-invalid', 'access token claims malformed', { place: { field: 'authorization' } });
    }
    return Object.freeze({ sub, kind, source: src, scopes: Object.freeze(scope === '' ? [] : scope.split(' ')), jti, expMs: exp * 1000 });
  }
}
