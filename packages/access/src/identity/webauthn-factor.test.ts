// A software authenticator (soft-authenticator.ts) drives both ceremonies (W3C WebAuthn Level 3 §6.1, §6.5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from './totp.ts';
import { accessFixture, type AccessFixture } from './test-fixtures.ts';
import { WebAuthnFactor } from './webauthn-factor.ts';
import { Authenticator } from './authenticator.ts';
import { TEST_HASHER } from './test-fixtures.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';

const RP = { id: 'localhost', name: 'PHIGuard', origin: 'https://localhost:8443' };
const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

let f: AccessFixture;
let webauthn: WebAuthnFactor;
let auth: Authenticator;
beforeAll(async () => {
  f = await accessFixture();
  webauthn = new WebAuthnFactor(f.store, f.clock, f.audit, RP);
  auth = new Authenticator({ store: f.store, clock: f.clock, audit: f.audit, hasher: TEST_HASHER, webauthn });
});
afterAll(() => f.store.close());

describe('WebAuthn passkeys as a second factor', () => {
  it('registers a passkey and logs in with it; refuses a replayed assertion, a wrong origin and a cloned counter', async () => {
    const password = 'violet-anchor-drizzle';
    const user = await auth.createUser({ username: 'pat', password, roles: ['annotator'] }, undefined);
    const first = await auth.login('pat', password);
    await auth.completeMfa(first.challengeId, { totp: totpCode(first.enrolment?.secret ?? '', f.clock.nowMs()) });
    await expect(webauthn.register(user, new SoftAuthenticator(RP).register('not-issued'))).rejects.toMatchObject({ code: 'mfa-required' });

    const device = new SoftAuthenticator(RP);
    const options = await webauthn.registrationOptions(user);
    expect(options.rp).toEqual({ id: 'localhost', name: 'PHIGuard' });
    expect(await webauthn.register(user, device.register(options.challenge))).toBe(b64u(device.credentialId));

    const login = await auth.login('pat', password);
    const request = await auth.passkeyOptions(login.challengeId);
    const assertion = device.assert(request.challenge);
    await expect(auth.completeMfa(login.challengeId, { webauthn: assertion })).resolves.toMatchObject({ session: { userId: user.id } });

    const again = await auth.login('pat', password);
    await auth.passkeyOptions(again.challengeId);
    await expect(auth.completeMfa(again.challengeId, { webauthn: assertion })).rejects.toMatchObject({ code: 'mfa-invalid' });

    const third = await auth.login('pat', password);
    const r3 = await auth.passkeyOptions(third.challengeId);
    await expect(auth.completeMfa(third.challengeId, { webauthn: device.assert(r3.challenge, 'https://evil.example') })).rejects.toMatchObject({ code: 'mfa-invalid' });

    const fourth = await auth.login('pat', password);
    const r4 = await auth.passkeyOptions(fourth.challengeId);
    device.counter = 0; // a clone replays an older counter
    await expect(auth.completeMfa(fourth.challengeId, { webauthn: device.assert(r4.challenge) })).rejects.toMatchObject({ code: 'mfa-invalid' });
    expect(f.audit.events.filter((e) => e.reason === 'bad-passkey')).toHaveLength(3);
  });
});
