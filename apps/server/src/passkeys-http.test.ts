// Passkeys over HTTPS with a software authenticator producing real attestations and assertions:
// registration inside a session with a recent second factor, then login with password + passkey.
// Challenges are single-use and expire; a cloned (non-growing) counter and a foreign origin are refused.
import { SoftAuthenticator } from '@phiguard/access';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, HARNESS_RP, loginAs, PASSWORD, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
const secrets = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function passwordStep(username: string): Promise<string> {
  const res = await call(h, 'POST', '/v1/auth/login', { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return (res.json() as { challengeId: string }).challengeId;
}

async function passkeyOptions(challengeId: string): Promise<string> {
  const res = await call(h, 'POST', '/v1/auth/passkey-options', { body: { challengeId } });
  expect(res.status).toBe(200);
  return (res.json() as { challenge: string }).challenge;
}

describe('passkeys over HTTPS', () => {
  it('registers a passkey in a fresh session and logs in with it as the second factor', async () => {
    await h.access.authenticator.createUser({ username: 'passkey-pat', password: PASSWORD, roles: ['auditor'] }, undefined);
    const { session } = await loginAs(h, 'passkey-pat', secrets);
    const device = new SoftAuthenticator(HARNESS_RP);

    const options = (await call(h, 'POST', '/v1/auth/passkeys/registration-options', { token: session })).json() as { challenge: string; rp: { id: string } };
    expect(options.rp.id).toBe('localhost');
    const registered = await call(h, 'POST', '/v1/auth/passkeys', { token: session, body: device.register(options.challenge) });
    expect(registered.status).toBe(201);
    // The registration challenge was spent.
    expect((await call(h, 'POST', '/v1/auth/passkeys', { token: session, body: device.register(options.challenge) })).json()).toMatchObject({ code: 'mfa-required' });

    const challengeId = await passwordStep('passkey-pat');
    const assertion = device.assert(await passkeyOptions(challengeId));
    const mfa = await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId, webauthn: assertion } });
    expect(mfa.status).toBe(200);
    const sessionToken = (mfa.json() as { sessionToken: string }).sessionToken;
    const token = ((await call(h, 'POST', '/v1/auth/token', { token: sessionToken })).json() as { accessToken: string }).accessToken;
    expect((await call(h, 'GET', '/v1/whoami', { token })).json()).toMatchObject({ kind: 'user', roles: ['auditor'] });

    // Replaying the same assertion on a new login: its challenge is not the new one.
    const again = await passwordStep('passkey-pat');
    await passkeyOptions(again);
    expect((await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: again, webauthn: assertion } })).json()).toMatchObject({ status: 401, code: 'mfa-invalid' });

    // A foreign origin, then a clone replaying an older counter.
    const third = await passwordStep('passkey-pat');
    const foreign = device.assert(await passkeyOptions(third), 'https://evil.example');
    expect((await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: third, webauthn: foreign } })).json()).toMatchObject({ code: 'mfa-invalid' });
    const fourth = await passwordStep('passkey-pat');
    const challenge = await passkeyOptions(fourth);
    device.counter = 0;
    expect((await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: fourth, webauthn: device.assert(challenge) } })).json()).toMatchObject({ code: 'mfa-invalid' });
  });

  it('refuses registration without a recent second factor, and an expired login challenge', async () => {
    await h.access.authenticator.createUser({ username: 'passkey-late', password: PASSWORD, roles: ['auditor'] }, undefined);
    const { session } = await loginAs(h, 'passkey-late', secrets);
    h.clock.advance(6 * 60_000);
    expect((await call(h, 'POST', '/v1/auth/passkeys/registration-options', { token: session })).json()).toMatchObject({ status: 401, code: 'mfa-required' });
    expect((await call(h, 'POST', '/v1/auth/passkey-options', { body: { challengeId: 'unknown-challenge' } })).json()).toMatchObject({ code: 'mfa-required' });

    // A password-verified login waits 5 minutes at most for its second factor.
    const challengeId = await passwordStep('passkey-late');
    h.clock.advance(5 * 60_000);
    expect((await call(h, 'POST', '/v1/auth/passkey-options', { body: { challengeId } })).json()).toMatchObject({ code: 'mfa-required' });
  });

  it('refuses a malformed assertion body by schema, naming the field only', async () => {
    const res = await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: 'x', webauthn: { id: 'a', rawId: 'a', type: 'other', response: {} } } });
    expect(res.json()).toMatchObject({ status: 400, code: 'invalid-request' });
  });
});
