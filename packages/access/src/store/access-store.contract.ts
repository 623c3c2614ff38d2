// The contract every AccessStore meets, run on PGlite (sql-access-store.test.ts) and PostgreSQL
// (pg-access-store.int.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessError } from '../access-error.ts';
import type { UserRecord } from '../identity/principal.ts';
import type { AccessStore } from './access-store.ts';

export interface AccessStoreHarness {
  readonly open: () => Promise<AccessStore>;
  readonly cleanup?: () => Promise<void>;
}

let serial = 0;
const id = (prefix: string): string => `${prefix}_${String(++serial).padStart(26, '0')}`;

export function sampleUser(over: Partial<UserRecord> = {}): UserRecord {
  const userId = id('usr');
  return {
    id: userId, username: `user${userId.slice(-6)}`, roles: ['annotator'], passwordHash: '$argon2id$x', totpSecret: undefined, totpLastStep: -1,
    failedLogins: 0, lockedUntilMs: 0, disabled: false, custodianOf: [], createdMs: 1000, ...over,
  };
}

export function describeAccessStoreContract(name: string, harness: AccessStoreHarness): void {
  describe(`AccessStore contract: ${name}`, () => {
    let store: AccessStore;
    beforeAll(async () => {
      store = await harness.open();
    });
    afterAll(async () => {
      await store.close();
      await harness.cleanup?.();
    });

    it('creates, finds and updates users; refuses a duplicate username', async () => {
      const user = sampleUser({ roles: ['admin', 'auditor'], custodianOf: ['key_a'] });
      await store.createUser(user);
      expect(await store.getUser(user.id)).toEqual(user);
      expect(await store.findUserByName(user.username)).toEqual(user);
      await expect(store.createUser({ ...user, id: id('usr') })).rejects.toBeInstanceOf(AccessError);
      await store.updateUser(user.id, { totpSecret: 'JBSWY3DPEHPK3PXP', lockedUntilMs: 5, roles: ['auditor'] });
      expect(await store.getUser(user.id)).toMatchObject({ totpSecret: 'JBSWY3DPEHPK3PXP', lockedUntilMs: 5, roles: ['auditor'] });
      await expect(store.updateUser(id('usr'), { disabled: true })).rejects.toMatchObject({ code: 'not-found' });
      expect((await store.listUsers()).map((u) => u.id)).toContain(user.id);
      expect(await store.getUser(id('usr'))).toBeUndefined();
    });

    it('accepts each TOTP step once and counts failures atomically', async () => {
      const user = sampleUser();
      await store.createUser(user);
      const results = await Promise.all([store.advanceTotpStep(user.id, 10), store.advanceTotpStep(user.id, 10)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.advanceTotpStep(user.id, 9)).toBe(false);
      expect(await store.advanceTotpStep(user.id, 11)).toBe(true);
      await Promise.all([store.countFailedLogin(user.id), store.countFailedLogin(user.id), store.countFailedLogin(user.id)]);
      expect((await store.getUser(user.id))?.failedLogins).toBe(3);
    });

    it('uses a recovery code once', async () => {
      const user = sampleUser();
      await store.createUser(user);
      await store.replaceRecoveryCodes(user.id, ['aa', 'bb']);
      expect(await store.useRecoveryCode(user.id, 'aa', 1)).toBe(true);
      expect(await store.useRecoveryCode(user.id, 'aa', 2)).toBe(false);
      await store.replaceRecoveryCodes(user.id, ['cc']);
      expect(await store.useRecoveryCode(user.id, 'bb', 3)).toBe(false);
      expect(await store.useRecoveryCode(user.id, 'cc', 3)).toBe(true);
    });

    it('keeps service accounts, API keys and their revocation', async () => {
      const account = { id: id('svc'), name: `pipeline-${String(serial)}`, roles: ['ml-engineer'] as const, disabled: false, createdMs: 1 };
      await store.createServiceAccount(account);
      expect(await store.getServiceAccount(account.id)).toEqual(account);
      const key = { id: id('apk'), accountId: account.id, secretHash: 'ab', scopes: ['dataset.read'], createdMs: 1, expiresMs: 10, revokedMs: undefined };
      await store.createApiKey(key);
      await expect(store.createApiKey({ ...key, id: id('apk'), accountId: id('svc') })).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.getApiKey(key.id)).toEqual(key);
      expect(await store.revokeApiKey(key.id, 5)).toBe(true);
      expect(await store.revokeApiKey(key.id, 6)).toBe(false);
      expect(await store.listApiKeys(account.id)).toEqual([{ ...key, revokedMs: 5 }]);
    });

    it('keeps sessions; last-seen and MFA times only move forward', async () => {
      const user = sampleUser();
      await store.createUser(user);
      const session = { id: id('ses'), userId: user.id, secretHash: 'cd', createdMs: 100, lastSeenMs: 100, mfaMs: 100, endedMs: undefined };
      await store.createSession(session);
      await store.touchSession(session.id, { lastSeenMs: 200 });
      await store.touchSession(session.id, { lastSeenMs: 150, mfaMs: 300 });
      expect(await store.getSession(session.id)).toEqual({ ...session, lastSeenMs: 200, mfaMs: 300 });
      await store.endSession(session.id, 400);
      await store.endSession(session.id, 500);
      expect((await store.getSession(session.id))?.endedMs).toBe(400);
    });

    it('keeps grants and break-glass episodes; nobody reviews their own', async () => {
      const grant = {
        id: id('grt'), principalId: id('usr'), action: 'dataset.read', resourceType: 'dataset', resourceId: id('ds'), purpose: 'HRESCH' as const,
        grantedBy: id('usr'), createdMs: 1, expiresMs: 100, revokedMs: undefined,
      };
      await store.createGrant(grant);
      expect(await store.listGrants({ principalId: grant.principalId })).toEqual([grant]);
      expect(await store.revokeGrant(grant.id, 50)).toBe(true);
      expect((await store.listGrants({})).find((g) => g.id === grant.id)?.revokedMs).toBe(50);
      const episode = { id: id('btg'), userId: id('usr'), reason: 'etreat', resourceType: 'dataset', resourceId: id('ds'), startedMs: 1, expiresMs: 2, reviewedBy: undefined, reviewedMs: undefined };
      await store.createBreakGlass(episode);
      expect((await store.listBreakGlass({ unreviewedOnly: true })).map((e) => e.id)).toContain(episode.id);
      expect((await store.listBreakGlass({ userId: episode.userId })).map((e) => e.id)).toEqual([episode.id]);
      expect(await store.listBreakGlass({ userId: id('usr') })).toEqual([]);
      expect(await store.reviewBreakGlass(episode.id, episode.userId, 3)).toBe(false);
      expect(await store.reviewBreakGlass(episode.id, id('usr'), 3)).toBe(true);
      expect((await store.listBreakGlass({ unreviewedOnly: true })).map((e) => e.id)).not.toContain(episode.id);
    });

    it('keeps token signing keys newest first and retires all but one', async () => {
      const key = (kid: string, createdMs: number): { kid: string; publicJwk: string; sealedPrivateKey: string; createdMs: number; retiredMs: undefined } =>
        ({ kid, publicJwk: '{"kty":"OKP"}', sealedPrivateKey: 'pgs1.x', createdMs, retiredMs: undefined });
      const before = (await store.listSigningKeys()).length;
      const [a, b] = [id('jwk'), id('jwk')];
      await store.addSigningKey(key(a, 10));
      await store.addSigningKey(key(b, 20));
      await expect(store.addSigningKey(key(a, 30))).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.listSigningKeys()).slice(0, 2).map((k) => k.kid)).toEqual([b, a]);
      expect(await store.retireSigningKeys(b, 25)).toBe(before + 1);
      expect(await store.retireSigningKeys(b, 26)).toBe(0);
      expect((await store.listSigningKeys()).map((k) => [k.kid, k.retiredMs]).slice(0, 2)).toEqual([[b, undefined], [a, 25]]);
    });

    it('keeps WebAuthn credentials and refuses a counter that does not grow', async () => {
      const user = sampleUser();
      await store.createUser(user);
      const credential = { id: 'cred-1-' + String(serial), userId: user.id, publicKey: new Uint8Array([1, 2, 3]), counter: 1, createdMs: 1 };
      await store.addWebAuthnCredential(credential);
      expect(await store.listWebAuthnCredentials(user.id)).toEqual([credential]);
      expect(await store.advanceWebAuthnCounter(credential.id, 1)).toBe(false);
      expect(await store.advanceWebAuthnCounter(credential.id, 2)).toBe(true);
    });
  });
}
