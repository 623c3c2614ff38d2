// TOTP secrets and token signing keys sealed at rest: the stored columns never hold the secret,
// a sealed value moved to another row does not open, and signing keys survive a restart.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../secrets/secret-box.ts';
import { Authenticator } from './authenticator.ts';
import { accessFixture, TEST_HASHER, type AccessFixture } from './test-fixtures.ts';
import { TokenIssuer } from './token-issuer.ts';
import { totpCode } from './totp.ts';

const PASSWORD = 'violet-anchor-drizzle';
let f: AccessFixture;
const secrets = new SecretBox(randomBytes(32));
let sealedAuth: Authenticator;

beforeAll(async () => {
  f = await accessFixture();
  sealedAuth = new Authenticator({ store: f.store, clock: f.clock, audit: f.audit, hasher: TEST_HASHER, secrets });
});
afterAll(() => f.store.close());

async function enrol(auth: Authenticator, username: string): Promise<{ id: string; secret: string }> {
  const user = await auth.createUser({ username, password: PASSWORD, roles: ['auditor'] }, undefined);
  const challenge = await auth.login(username, PASSWORD);
  const secret = challenge.enrolment?.secret ?? '';
  await auth.completeMfa(challenge.challengeId, { totp: totpCode(secret, f.clock.nowMs()) });
  f.clock.advance(30_000);
  return { id: user.id, secret };
}

describe('TOTP secrets at rest', () => {
  it('stores the secret sealed (the column does not contain it) and still accepts codes', async () => {
    const { id, secret } = await enrol(sealedAuth, 'sealed-alice');
    const stored = (await f.store.getUser(id))?.totpSecret ?? '';
    expect(SecretBox.isSealed(stored)).toBe(true);
    expect(stored).not.toContain(secret);
    expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
    const again = await sealedAuth.login('sealed-alice', PASSWORD);
    await expect(sealedAuth.completeMfa(again.challengeId, { totp: totpCode(secret, f.clock.nowMs()) })).resolves.toMatchObject({ token: expect.any(String) as string });
  });

  it('refuses a sealed secret swapped in from another user row', async () => {
    const a = await enrol(sealedAuth, 'swap-a');
    const b = await enrol(sealedAuth, 'swap-b');
    await f.store.updateUser(b.id, { totpSecret: (await f.store.getUser(a.id))?.totpSecret });
    const challenge = await sealedAuth.login('swap-b', PASSWORD);
    await expect(sealedAuth.completeMfa(challenge.challengeId, { totp: totpCode(a.secret, f.clock.nowMs()) })).rejects.toMatchObject({ code: 'sealed-secret-invalid' });
  });

  it('seals rows written in plaintext before (migration), once, and logins keep working', async () => {
    const plain = new Authenticator({ store: f.store, clock: f.clock, audit: f.audit, hasher: TEST_HASHER });
    const old = await enrol(plain, 'legacy-bob');
    expect((await f.store.getUser(old.id))?.totpSecret).toBe(old.secret);
    expect(await sealedAuth.sealStoredTotpSecrets()).toBeGreaterThanOrEqual(1);
    expect(await sealedAuth.sealStoredTotpSecrets()).toBe(0);
    const stored = (await f.store.getUser(old.id))?.totpSecret ?? '';
    expect(stored).not.toContain(old.secret);
    const challenge = await sealedAuth.login('legacy-bob', PASSWORD);
    await expect(sealedAuth.completeMfa(challenge.challengeId, { totp: totpCode(old.secret, f.clock.nowMs()) })).resolves.toBeDefined();
    expect(JSON.stringify(f.audit.events)).not.toContain(old.secret);
  });
});

describe('token signing keys at rest', () => {
  const claims = { sub: 'usr_01hzzzzzzzzzzzzzzzzzzzzzza', kind: 'user' as const, source: 'ses_01hzzzzzzzzzzzzzzzzzzzzzzb', scopes: [] };

  it('verify after a restart; a rotated key still verifies, a retired one never again', async () => {
    const first = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets });
    const before = await first.issue(claims);
    const restarted = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets });
    await expect(restarted.verify(before.token)).resolves.toMatchObject({ sub: claims.sub });
    expect(restarted.jwks()).toEqual(first.jwks());

    await restarted.rotate();
    const after = await restarted.issue(claims);
    const again = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets });
    await expect(again.verify(before.token)).resolves.toBeDefined();
    await expect(again.verify(after.token)).resolves.toBeDefined();
    expect(again.jwks().keys).toHaveLength(2);

    await again.retireOld();
    const last = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets });
    await expect(last.verify(before.token)).rejects.toMatchObject({ code: 'token-invalid' });
    await expect(last.verify(after.token)).resolves.toBeDefined();
    expect(last.jwks().keys).toHaveLength(1);
  });

  it('reopens with the newest key current, even for rotations within one millisecond', async () => {
    const issuer = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets });
    for (let i = 0; i < 6; i++) {
      const kid = await issuer.rotate();
      const reopened = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets });
      expect(reopened.jwks().keys[0]?.kid).toBe(kid);
    }
    await issuer.retireOld();
  });

  it('keeps private keys sealed: no JWK "d", no PKCS#8 in the store; another root key cannot open them', async () => {
    const rows = await f.store.listSigningKeys();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(SecretBox.isSealed(row.sealedPrivateKey)).toBe(true);
      expect(row.sealedPrivateKey).not.toContain('PRIVATE KEY');
      expect(JSON.parse(row.publicJwk)).not.toHaveProperty('d');
    }
    await expect(TokenIssuer.open({ clock: f.clock, store: f.store, secrets: new SecretBox(randomBytes(32)) })).rejects.toMatchObject({ code: 'sealed-secret-invalid' });
  });
});

describe('scheduled signing-key rotation', () => {
  it('rotates a key past its period, keeps the previous one for a token lifetime plus an interval, then retires it', async () => {
    const claims = { sub: 'usr_01hzzzzzzzzzzzzzzzzzzzzzza', kind: 'user' as const, source: 'ses_01hzzzzzzzzzzzzzzzzzzzzzzb', scopes: [] };
    const a = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets, ttlMs: 5 * 60_000 });
    const b = await TokenIssuer.open({ clock: f.clock, store: f.store, secrets, ttlMs: 5 * 60_000 });
    expect(await a.maintain(3600_000)).toEqual({ rotated: false, retired: false });
    f.clock.advance(3600_000 + 1000);
    const old = await b.issue(claims);
    expect(await a.maintain(3600_000)).toEqual({ rotated: true, retired: false });
    // The other process picks up the new key at its next maintenance and signs with it.
    expect(await b.maintain(3600_000)).toEqual({ rotated: false, retired: false });
    expect((await b.issue(claims)).token.split('.')[0]).toBe((await a.issue(claims)).token.split('.')[0]);
    f.clock.advance(5 * 60_000);
    await expect(a.verify(old.token)).rejects.toMatchObject({ code: 'token-invalid' }); // expired, not retired
    expect(a.jwks().keys.length).toBeGreaterThan(1);
    f.clock.advance(60_000);
    expect(await a.maintain(3600_000)).toEqual({ rotated: false, retired: true });
    await b.maintain(3600_000);
    expect(b.jwks().keys).toHaveLength(1);
    expect(b.jwks()).toEqual(a.jwks());
  });
});
