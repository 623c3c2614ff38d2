// The server's half of `phiguard login --passkey` over real HTTPS with a software authenticator:
// the page's authorize step (password-verified challenge + passkey assertion → one-time code) and
// the CLI's exchange (code + PKCE verifier → session), with every refusal the flow promises.
import { SoftAuthenticator } from '@phiguard/access';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, HARNESS_RP, loginAs, PASSWORD, startHarness, type Harness } from '../test-harness.ts';
import { LOGIN_PAGE_CSP } from './login-pages.ts';
import { newLoopbackSecrets } from './pkce.ts';

let h: Harness;
const device = new SoftAuthenticator(HARNESS_RP);
const REDIRECT = 'http://127.0.0.1:49152/callback';

beforeAll(async () => {
  h = await startHarness();
  await h.access.authenticator.createUser({ username: 'loop-lee', password: PASSWORD, roles: ['auditor'] }, undefined);
  const { session } = await loginAs(h, 'loop-lee', new Map());
  const options = (await call(h, 'POST', '/v1/auth/passkeys/registration-options', { token: session })).json() as { challenge: string };
  expect((await call(h, 'POST', '/v1/auth/passkeys', { token: session, body: device.register(options.challenge) })).status).toBe(201);
});
afterAll(() => h.close());

/** Password, passkey, authorize: the page's three calls. */
async function authorize(secrets: { challenge: string; state: string }, redirectUri = REDIRECT): Promise<{ status: number; body: Record<string, unknown> }> {
  const { challengeId } = (await call(h, 'POST', '/v1/auth/login', { body: { username: 'loop-lee', password: PASSWORD } })).json() as { challengeId: string };
  const { challenge } = (await call(h, 'POST', '/v1/auth/passkey-options', { body: { challengeId } })).json() as { challenge: string };
  const res = await call(h, 'POST', '/v1/auth/loopback/authorize', {
    body: { challengeId, webauthn: device.assert(challenge), state: secrets.state, codeChallenge: secrets.challenge, codeChallengeMethod: 'S256', redirectUri },
  });
  return { status: res.status, body: res.json() as Record<string, unknown> };
}

async function exchange(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await call(h, 'POST', '/v1/auth/loopback/token', { body });
  return { status: res.status, body: res.json() as Record<string, unknown> };
}

async function sessionWorks(sessionToken: string): Promise<boolean> {
  return (await call(h, 'POST', '/v1/auth/token', { token: sessionToken })).status === 200;
}

describe('loopback login (RFC 8252 + RFC 7636)', () => {
  it('gives the session to the holder of the verifier once; a replay is refused and ends that session', async () => {
    const s = newLoopbackSecrets();
    const issued = await authorize(s);
    expect(issued.status).toBe(200);
    expect(issued.body).not.toHaveProperty('sessionToken');
    const code = issued.body.code as string;
    const first = await exchange({ code, codeVerifier: s.verifier, state: s.state, redirectUri: REDIRECT });
    expect(first.status).toBe(200);
    const token = first.body.sessionToken as string;
    expect(await sessionWorks(token)).toBe(true);

    const replay = await exchange({ code, codeVerifier: s.verifier, state: s.state, redirectUri: REDIRECT });
    expect(replay.body).toMatchObject({ status: 401, code: 'token-invalid', field: 'code' });
    expect(replay.body.title).toMatch(/already used/);
    expect(await sessionWorks(token)).toBe(false);
  });

  it('refuses a wrong verifier, state or redirect address, and spends the code on the first try', async () => {
    for (const [change, field] of [['codeVerifier', 'codeVerifier'], ['state', 'state'], ['redirectUri', 'redirectUri']] as const) {
      const s = newLoopbackSecrets();
      const other = newLoopbackSecrets();
      const code = (await authorize(s)).body.code as string;
      const right = { code, codeVerifier: s.verifier, state: s.state, redirectUri: REDIRECT };
      const wrong = { ...right, [change]: change === 'codeVerifier' ? other.verifier : change === 'state' ? other.state : 'http://127.0.0.1:49153/callback' };
      const refused = await exchange(wrong);
      expect(refused.body).toMatchObject({ status: 401, code: 'token-invalid', field });
      // The right values no longer help: the code is spent.
      expect((await exchange(right)).body).toMatchObject({ code: 'token-invalid', field: 'code' });
    }
  });

  it('refuses a code after 60 seconds', async () => {
    const s = newLoopbackSecrets();
    const code = (await authorize(s)).body.code as string;
    h.clock.advance(60_000);
    const late = await exchange({ code, codeVerifier: s.verifier, state: s.state, redirectUri: REDIRECT });
    expect(late.body).toMatchObject({ code: 'token-invalid', field: 'code' });
    expect(late.body.title).toMatch(/unknown or expired/);
  });

  it('accepts only S256 challenges and loopback IP redirect addresses (RFC 8252 §7.3, §8.3)', async () => {
    const s = newLoopbackSecrets();
    for (const redirectUri of ['http://localhost:49152/callback', 'https://127.0.0.1:49152/callback', 'http://evil.example/callback', 'http://127.0.0.1:49152/cb?x=1']) {
      expect((await authorize(s, redirectUri)).body).toMatchObject({ status: 400, code: 'invalid-request', field: 'redirectUri' });
    }
    const plain = await call(h, 'POST', '/v1/auth/loopback/authorize', { body: { challengeId: 'x', webauthn: device.assert('AAAA'), state: s.state, codeChallenge: s.verifier, codeChallengeMethod: 'plain', redirectUri: REDIRECT } });
    expect(plain.json()).toMatchObject({ status: 400, code: 'invalid-request' });
  });

  it('refuses an authorize step without a valid passkey assertion', async () => {
    const s = newLoopbackSecrets();
    const { challengeId } = (await call(h, 'POST', '/v1/auth/login', { body: { username: 'loop-lee', password: PASSWORD } })).json() as { challengeId: string };
    const { challenge } = (await call(h, 'POST', '/v1/auth/passkey-options', { body: { challengeId } })).json() as { challenge: string };
    const foreign = device.assert(challenge, 'https://evil.example');
    const res = await call(h, 'POST', '/v1/auth/loopback/authorize', { body: { challengeId, webauthn: foreign, state: s.state, codeChallenge: s.challenge, codeChallengeMethod: 'S256', redirectUri: REDIRECT } });
    expect(res.json()).toMatchObject({ status: 401, code: 'mfa-invalid' });
  });

  it('sends a page reached by another name to the relying party\'s origin, query unchanged', async () => {
    const query = '?state=abc&code_challenge=def';
    for (const path of ['/login', '/login/passkeys']) {
      const moved = await call(h, 'GET', `${path}${query}`, { headers: { host: `127.0.0.1:${String(h.port)}` } });
      expect(moved.status).toBe(302);
      expect(moved.headers.location).toBe(`${HARNESS_RP.origin}${path}${query}`);
      expect((await call(h, 'GET', path, { headers: { host: 'LOCALHOST:8443' } })).status).toBe(200);
    }
  });

  it('serves the login pages with a strict CSP and no external resource', async () => {
    for (const path of ['/login', '/login/passkeys']) {
      const page = await call(h, 'GET', path, { headers: { host: 'localhost:8443' } });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toBe(LOGIN_PAGE_CSP);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).not.toMatch(/https?:\/\//);
      expect(page.text).not.toMatch(/<script>|\son[a-z]+=/i);
    }
    for (const asset of ['login.js', 'passkeys.js', 'webauthn-json.js']) {
      const js = await call(h, 'GET', `/login/assets/${asset}`);
      expect(js.headers['content-type']).toMatch(/^text\/javascript/);
      expect(js.text).not.toMatch(/innerHTML|localStorage|sessionStorage|eval\(/);
    }
    expect((await call(h, 'GET', '/login/assets/..%2Fpkce.ts')).status).toBe(404);
  });
});
