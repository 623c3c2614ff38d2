import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, jwtVerify, SignJWT, errors as joseErrors, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { newId, type Clock } from '@phiguard/core';
import { AccessError } from '../access-error.ts';
import { BoundedCache } from '../cache/bounded-cache.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { AccessStore } from '../store/access-store.ts';
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
  readonly createdMs: number;
}

/** Default signing-key lifetime before {@link TokenIssuer.maintain} rotates it (NIST SP 800-57 Part 1 §5.3 cryptoperiod). */
export const DEFAULT_SIGNING_KEY_ROTATION_MS = 24 * 3600_000;

export const DEFAULT_TOKEN_TTL_MS = 5 * 60_000;
const ISSUER = 'phiguard';
const AUDIENCE = 'phiguard-api';

/** Where signing keys persist: the access store, private keys sealed by the box. */
export interface SigningKeyPersistence {
  readonly store: Pick<AccessStore, 'listSigningKeys' | 'addSigningKey' | 'retireSigningKeys'>;
  readonly secrets: SecretBox;
}

/**
 * Short-lived EdDSA (Ed25519, RFC 8037) access tokens. Keys rotate: a rotated key keeps verifying
 * until {@link retireOld} (callers retire it after one token lifetime), then its tokens are
 * refused. `jwks()` publishes the verifying keys (RFC 7517 §5). Opened with
 * {@link TokenIssuer.open}, keys persist in the access store (private keys sealed), so tokens
 * stay valid across a restart and a retired key stays retired; {@link TokenIssuer.create} keeps
 * them in memory only (tests, benchmarks).
 *
 * Verified tokens are remembered (bounded, by the exact token string) until they expire or their
 * key is retired, so a token is checked cryptographically once per process, not per request.
 */
export class TokenIssuer {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #persistence: SigningKeyPersistence | undefined;
  readonly #verified = new BoundedCache<string, { readonly claims: AccessTokenClaims; readonly kid: string; readonly expMs: number }>(50_000);
  #keys: SigningKey[] = [];
  // The newest persisted key's creation time: a new key is stamped later, so "newest first" is its order.
  #newestCreatedMs = Number.NEGATIVE_INFINITY;

  private constructor(clock: Clock, ttlMs: number, persistence: SigningKeyPersistence | undefined) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#persistence = persistence;
  }

  /** An issuer whose keys live in memory only (a restart invalidates every token). */
  static async create(clock: Clock, ttlMs = DEFAULT_TOKEN_TTL_MS): Promise<TokenIssuer> {
    const issuer = new TokenIssuer(clock, ttlMs, undefined);
    await issuer.rotate();
    return issuer;
  }

  /** An issuer over the persisted keys (creating the first one); retired keys are not loaded. */
  static async open(options: { readonly clock: Clock; readonly ttlMs?: number } & SigningKeyPersistence): Promise<TokenIssuer> {
    const issuer = new TokenIssuer(options.clock, options.ttlMs ?? DEFAULT_TOKEN_TTL_MS, { store: options.store, secrets: options.secrets });
    await issuer.reload();
    if (issuer.#keys.length === 0) await issuer.rotate();
    return issuer;
  }

  /** Reads the persisted keys again (another process rotated or retired); no-op in memory. */
  async reload(): Promise<void> {
    const persistence = this.#persistence;
    if (persistence === undefined) return;
    const keys: SigningKey[] = [];
    const records = await persistence.store.listSigningKeys();
    this.#newestCreatedMs = Math.max(Number.NEGATIVE_INFINITY, ...records.map((r) => r.createdMs));
    for (const record of records) {
      if (record.retiredMs !== undefined) continue;
      const pkcs8 = persistence.secrets.open('token-signing-key', record.kid, record.sealedPrivateKey).toString('utf8');
      const publicJwk = JSON.parse(record.publicJwk) as JWK;
      keys.push({ kid: record.kid, privateKey: await importPKCS8(pkcs8, 'EdDSA'), publicKey: (await importJWK(publicJwk, 'EdDSA')) as CryptoKey, publicJwk, createdMs: record.createdMs });
    }
    this.#keys = keys;
    this.#verified.clear();
  }

  /** Makes a new signing key current (persisting it first when persistent); returns its kid. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = newId('jwk', this.#clock);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
    let createdMs = this.#clock.nowMs();
    if (this.#persistence !== undefined) {
      const pkcs8 = Buffer.from(await exportPKCS8(privateKey), 'utf8');
      const sealedPrivateKey = this.#persistence.secrets.seal('token-signing-key', kid, pkcs8);
      pkcs8.fill(0);
      createdMs = Math.max(createdMs, this.#newestCreatedMs + 1);
      await this.#persistence.store.addSigningKey({ kid, publicJwk: JSON.stringify(publicJwk), sealedPrivateKey, createdMs, retiredMs: undefined });
      this.#newestCreatedMs = createdMs;
    }
    // Non-extractable from here on: nothing in this process can export it again.
    const signing = await importPKCS8(await exportPKCS8(privateKey), 'EdDSA', { extractable: false });
    this.#keys = [{ kid, privateKey: signing, publicKey, publicJwk, createdMs }, ...this.#keys];
    return kid;
  }

  /** Stops accepting tokens signed by every key but the current one (persisted: for good). */
  async retireOld(): Promise<void> {
    const current = this.#keys[0];
    this.#keys = this.#keys.slice(0, 1);
    this.#verified.clear();
    if (current !== undefined && this.#persistence !== undefined) await this.#persistence.store.retireSigningKeys(current.kid, this.#clock.nowMs());
  }

  /**
   * Scheduled key hygiene, called every `intervalMs` by the server: first reads the persisted keys
   * again (another process may have rotated); once the current key is older than `rotateEveryMs`
   * a new one becomes current; once the current key is older than one token lifetime plus one
   * interval (another process may have signed with the previous key until it reloaded), every
   * older key is retired.
   */
  async maintain(rotateEveryMs: number = DEFAULT_SIGNING_KEY_ROTATION_MS, intervalMs = 60_000): Promise<{ readonly rotated: boolean; readonly retired: boolean }> {
    await this.reload();
    const now = this.#clock.nowMs();
    const current = this.#keys[0];
    const rotated = current === undefined || now - current.createdMs >= rotateEveryMs;
    if (rotated) await this.rotate();
    const newest = this.#keys[0];
    const retired = newest !== undefined && this.#keys.length > 1 && now - newest.createdMs >= this.#ttlMs + intervalMs;
    if (retired) await this.retireOld();
    return { rotated, retired };
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
    const nowMs = this.#clock.nowMs();
    const known = this.#verified.get(token, nowMs);
    // Same checks as jose's for a token already verified: not expired (exp > now, no tolerance) and its key still here.
    if (known !== undefined && Math.floor(nowMs / 1000) < known.expMs / 1000 && this.#keys.some((k) => k.kid === known.kid)) return known.claims;
    const claims = await this.#verify(token);
    this.#verified.set(token, claims, claims.claims.expMs);
    return claims.claims;
  }

  async #verify(token: string): Promise<{ readonly claims: AccessTokenClaims; readonly kid: string; readonly expMs: number }> {
    let payload: JWTPayload;
    let kid = '';
    try {
      ({ payload } = await jwtVerify(token, (header) => {
        const key = this.#keys.find((k) => k.kid === header.kid);
        kid = key?.kid ?? '';
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
    const claims = Object.freeze({ sub, kind, source: src, scopes: Object.freeze(scope === '' ? [] : scope.split(' ')), jti, expMs: exp * 1000 });
    return { claims, kid, expMs: exp * 1000 };
  }
}
