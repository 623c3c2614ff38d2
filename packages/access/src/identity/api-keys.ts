import { newId, type Clock } from '@phiguard/core';
import type { AuditRecorder } from '@phiguard/audit';
import { AccessError } from '../access-error.ts';
import type { ApiKeyRecord } from '../store/access-records.ts';
import type { AccessStore } from '../store/access-store.ts';
import type { Principal } from './principal.ts';
import { randomToken, sameHash, secretHash } from './secret-hash.ts';

/** The prefix secret scanners look for (GitHub secret scanning custom patterns, gitleaks). */
export const API_KEY_PREFIX = 'phg_live_';
const API_KEY = /^phg_live_([0-9a-hjkmnp-tv-z]{26})_([A-Za-z0-9_-]{43})$/;
export const DEFAULT_API_KEY_TTL_MS = 90 * 24 * 3600_000;

/** A new key as shown once to its creator; only `record` (with the hash) is stored. */
export interface IssuedApiKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

/** API keys for service accounts: shown once, stored as SHA-256, scoped, expiring, rotatable, revocable. */
export class ApiKeys {
  readonly #store: AccessStore;
  readonly #clock: Clock;
  readonly #audit: AuditRecorder;

  constructor(store: AccessStore, clock: Clock, audit: AuditRecorder) {
    this.#store = store;
    this.#clock = clock;
    this.#audit = audit;
  }

  async create(accountId: string, scopes: readonly string[], by: Principal, ttlMs = DEFAULT_API_KEY_TTL_MS): Promise<IssuedApiKey> {
    const account = await this.#store.getServiceAccount(accountId);
    if (account === undefined) throw new AccessError('not-found', 'no such service account', { place: { field: 'accountId' } });
    const id = newId('apk', this.#clock);
    const key = `${API_KEY_PREFIX}${id.slice(4)}_${randomToken(32)}`;
    const now = this.#clock.nowMs();
    const record: ApiKeyRecord = Object.freeze({
      id, accountId, secretHash: secretHash(key), scopes: Object.freeze([...scopes]), createdMs: now, expiresMs: now + ttlMs, revokedMs: undefined,
    });
    await this.#store.createApiKey(record);
    await this.#audit.record({ actor: { kind: by.kind, id: by.id }, action: 'apikey.create', outcome: 'success', resources: [{ type: 'api-key', id }, { type: 'service-account', id: accountId }] });
    return { key, record };
  }

  /** Issues a new key with the same scopes and revokes the old one (rotation). */
  async rotate(keyId: string, by: Principal): Promise<IssuedApiKey> {
    const old = await this.#store.getApiKey(keyId);
    if (old?.revokedMs !== undefined || old === undefined) throw new AccessError('not-found', 'no such active API key', { place: { field: 'keyId' } });
    const issued = await this.create(old.accountId, old.scopes, by, old.expiresMs - old.createdMs);
    await this.revoke(keyId, by);
    return issued;
  }

  async revoke(keyId: string, by: Principal): Promise<boolean> {
    const done = await this.#store.revokeApiKey(keyId, this.#clock.nowMs());
    await this.#audit.record({ actor: { kind: by.kind, id: by.id }, action: 'apikey.revoke', outcome: done ? 'success' : 'failure', resources: [{ type: 'api-key', id: keyId }] });
    return done;
  }

  /** The key's record when `key` is well formed, known, unrevoked and unexpired; otherwise `api-key-invalid`. */
  async verify(key: string): Promise<ApiKeyRecord> {
    const match = API_KEY.exec(key);
    const invalid = (reason: string): AccessError => new AccessError('api-key-invalid', `API key refused: ${reason}`, { place: { field: 'authorization' } });
    if (match === null) throw invalid('malformed');
    const record = await this.#store.getApiKey(`apk_${match[1] ?? ''}`);
    if (record === undefined || !sameHash(record.secretHash, secretHash(key))) throw invalid('unknown');
    if (record.revokedMs !== undefined) throw invalid('revoked');
    if (this.#clock.nowMs() >= record.expiresMs) throw invalid('expired');
    return record;
  }
}
