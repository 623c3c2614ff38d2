import type { Clock } from '@phiguard/core';
import type { ServiceAccountRecord, UserRecord } from '../identity/principal.ts';
import type { ApiKeyRecord, BreakGlassRecord, GrantRecord, SessionRecord } from '../store/access-records.ts';
import type { AccessStore } from '../store/access-store.ts';
import { BoundedCache } from './bounded-cache.ts';

export interface AccessCacheOptions {
  /**
   * How long a cached row may be used before it is read again. Writes through this store
   * invalidate at once; the limit bounds how late a write made by another server process on the
   * same database is seen (default 1 second).
   */
  readonly ttlMs?: number;
  /** Entries per cache (default 10,000). */
  readonly maxEntries?: number;
}

export const DEFAULT_ACCESS_CACHE_TTL_MS = 1_000;

/**
 * An {@link AccessStore} that keeps the rows every authorized request reads (session, user, API
 * key, service account, a principal's grants and break-glass episodes) in bounded in-memory
 * caches. Every write through it invalidates the rows it changes before it returns, so a revoked
 * API key, an ended session, a revoked grant or a role change is effective for the next request
 * of this process; a load racing a write never stores the older row (see {@link BoundedCache}).
 */
export function cachingAccessStore(inner: AccessStore, clock: Clock, options: AccessCacheOptions = {}): AccessStore {
  const ttl = options.ttlMs ?? DEFAULT_ACCESS_CACHE_TTL_MS;
  const max = options.maxEntries ?? 10_000;
  const users = new BoundedCache<string, UserRecord | undefined>(max);
  const sessions = new BoundedCache<string, SessionRecord | undefined>(max);
  const apiKeys = new BoundedCache<string, ApiKeyRecord | undefined>(max);
  const accounts = new BoundedCache<string, ServiceAccountRecord | undefined>(max);
  const grants = new BoundedCache<string, GrantRecord[]>(max);
  const breakGlass = new BoundedCache<string, BreakGlassRecord[]>(max);
  const until = (): number => clock.nowMs() + ttl;
  // Invalidate before and after the write: a load started during the write cannot store the old row.
  const around = async <T>(invalidate: () => void, write: () => Promise<T>): Promise<T> => {
    invalidate();
    try {
      return await write();
    } finally {
      invalidate();
    }
  };
  return {
    findUserByName: (username) => inner.findUserByName(username),
    listUsers: () => inner.listUsers(),
    replaceRecoveryCodes: (userId, hashes) => inner.replaceRecoveryCodes(userId, hashes),
    useRecoveryCode: (userId, hash, atMs) => inner.useRecoveryCode(userId, hash, atMs),
    listApiKeys: (accountId) => inner.listApiKeys(accountId),
    addWebAuthnCredential: (c) => inner.addWebAuthnCredential(c),
    listWebAuthnCredentials: (userId) => inner.listWebAuthnCredentials(userId),
    advanceWebAuthnCounter: (id, counter) => inner.advanceWebAuthnCounter(id, counter),
    listSigningKeys: () => inner.listSigningKeys(),
    addSigningKey: (k) => inner.addSigningKey(k),
    retireSigningKeys: (keepKid, atMs) => inner.retireSigningKeys(keepKid, atMs),
    getUser: (id) => users.getOrLoad(id, clock.nowMs(), () => inner.getUser(id), until),
    updateUser: (id, patch) => around(() => { users.invalidate(id); }, () => inner.updateUser(id, patch)),
    advanceTotpStep: (userId, step) => around(() => { users.invalidate(userId); }, () => inner.advanceTotpStep(userId, step)),
    countFailedLogin: (userId) => around(() => { users.invalidate(userId); }, () => inner.countFailedLogin(userId)),
    createUser: (user) => around(() => { users.invalidate(user.id); }, () => inner.createUser(user)),

    getSession: (id) => sessions.getOrLoad(id, clock.nowMs(), () => inner.getSession(id), until),
    createSession: (s) => around(() => { sessions.invalidate(s.id); }, () => inner.createSession(s)),
    touchSession: (id, patch) => around(() => { sessions.invalidate(id); }, () => inner.touchSession(id, patch)),
    endSession: (id, atMs) => around(() => { sessions.invalidate(id); }, () => inner.endSession(id, atMs)),

    getApiKey: (id) => apiKeys.getOrLoad(id, clock.nowMs(), () => inner.getApiKey(id), until),
    createApiKey: (k) => around(() => { apiKeys.invalidate(k.id); }, () => inner.createApiKey(k)),
    revokeApiKey: (id, atMs) => around(() => { apiKeys.invalidate(id); }, () => inner.revokeApiKey(id, atMs)),

    getServiceAccount: (id) => accounts.getOrLoad(id, clock.nowMs(), () => inner.getServiceAccount(id), until),
    createServiceAccount: (a) => around(() => { accounts.invalidate(a.id); }, () => inner.createServiceAccount(a)),

    // Shared cached lists are frozen: a caller that tried to change one would throw, not corrupt the cache.
    listGrants: (filter) => {
      const principalId = filter.principalId;
      if (principalId === undefined) return inner.listGrants(filter);
      return grants.getOrLoad(principalId, clock.nowMs(), async () => Object.freeze(await inner.listGrants({ principalId })) as GrantRecord[], until);
    },
    createGrant: (g) => around(() => { grants.invalidate(g.principalId); }, () => inner.createGrant(g)),
    // Revocations are rare: forget every principal's grants rather than look up the grantee.
    revokeGrant: (id, atMs) => around(() => { grants.clear(); }, () => inner.revokeGrant(id, atMs)),

    listBreakGlass: (filter) => {
      const userId = filter.userId;
      if (userId === undefined || filter.unreviewedOnly === true) return inner.listBreakGlass(filter);
      return breakGlass.getOrLoad(userId, clock.nowMs(), async () => Object.freeze(await inner.listBreakGlass({ userId })) as BreakGlassRecord[], until);
    },
    createBreakGlass: (b) => around(() => { breakGlass.invalidate(b.userId); }, () => inner.createBreakGlass(b)),
    reviewBreakGlass: (id, reviewer, atMs) => around(() => { breakGlass.clear(); }, () => inner.reviewBreakGlass(id, reviewer, atMs)),

    close: () => {
      for (const c of [users, sessions, apiKeys, accounts, grants, breakGlass]) c.clear();
      return inner.close();
    },
  };
}
