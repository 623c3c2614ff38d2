import http from 'node:http';
import tls from 'node:tls';
import { totpCode } from '@phiguard/access';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, loginAs, PASSWORD, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
const secrets = new Map<string, string>();
let admin: { session: string; token: string };

beforeAll(async () => {
  h = await startHarness();
  await h.access.authenticator.createUser({ username: 'root-admin', password: PASSWORD, roles: ['admin'] }, undefined);
  admin = await loginAs(h, 'root-admin', secrets);
});
afterAll(() => h.close());

async function newUser(username: string, roles: string[]): Promise<string> {
  const created = await call(h, 'POST', '/v1/users', { token: admin.token, body: { username, password: PASSWORD, roles } });
  expect(created.status).toBe(201);
  return (created.json() as { id: string }).id;
}

describe('HTTPS API server', () => {
  it('logs in with password then TOTP (enrolled at first login), exchanges a token, answers whoami, with HSTS', async () => {
    const who = await call(h, 'GET', '/v1/whoami', { token: admin.token });
    expect(who.status).toBe(200);
    expect(who.json()).toMatchObject({ kind: 'user', roles: ['admin'] });
    expect(who.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(who.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-/);
    const openapi = (await call(h, 'GET', '/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/auth/login', '/v1/auth/mfa', '/v1/auth/token', '/v1/whoami', '/v1/grants', '/v1/break-glass']));
    expect((await call(h, 'GET', '/healthz')).json()).toEqual({ status: 'ok', version: 'test' });
  });

  it('refuses a client that offers only TLS 1.2, and plain HTTP', async () => {
    const tls12 = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: h.port, ca: h.ca, servername: 'localhost', maxVersion: 'TLSv1.2' });
      socket.on('secureConnect', () => { resolve(`connected ${String(socket.getProtocol())}`); socket.destroy(); });
      socket.on('error', (e: NodeJS.ErrnoException) => { resolve(e.code ?? 'error'); });
    });
    expect(tls12).toMatch(/ERR_SSL|EPROTO|ECONNRESET/);
    const ok13 = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: h.port, ca: h.ca, servername: 'localhost' });
      socket.on('secureConnect', () => { resolve(String(socket.getProtocol())); socket.destroy(); });
      socket.on('error', reject);
    });
    expect(ok13).toBe('TLSv1.3');
    const plain = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: h.port, path: '/healthz' }, (res) => { resolve(`answered ${String(res.statusCode)}`); res.resume(); });
      req.on('error', (e: NodeJS.ErrnoException) => { resolve(e.code ?? 'error'); });
    });
    expect(plain).not.toMatch(/^answered 200/);
  });

  it('locks an account after repeated wrong passwords (brute force)', async () => {
    await newUser('brute-target', ['annotator']);
    for (let i = 0; i < 5; i++) expect((await call(h, 'POST', '/v1/auth/login', { body: { username: 'brute-target', password: `guess-number-${String(i)}` } })).status).toBe(401);
    const locked = await call(h, 'POST', '/v1/auth/login', { body: { username: 'brute-target', password: PASSWORD } });
    expect(locked.status).toBe(423);
    expect(locked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(locked.json()).toMatchObject({ code: 'account-locked', status: 423, requestId: expect.any(String) as string });
  });

  it('refuses a TOTP code used twice, a token replayed after logout, an expired token and one signed by a rotated-out key', async () => {
    await newUser('token-user', ['auditor']);
    const first = await loginAs(h, 'token-user', secrets);
    const secret = secrets.get('token-user') ?? '';
    const code = totpCode(secret, h.clock.nowMs());
    const a = (await call(h, 'POST', '/v1/auth/login', { body: { username: 'token-user', password: PASSWORD } })).json() as { challengeId: string };
    expect((await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: a.challengeId, totp: code } })).status).toBe(200);
    const b = (await call(h, 'POST', '/v1/auth/login', { body: { username: 'token-user', password: PASSWORD } })).json() as { challengeId: string };
    expect((await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: b.challengeId, totp: code } })).json()).toMatchObject({ code: 'mfa-replayed' });

    expect((await call(h, 'GET', '/v1/whoami', { token: first.token })).status).toBe(200);
    expect((await call(h, 'POST', '/v1/auth/logout', { token: first.session })).status).toBe(204);
    expect((await call(h, 'GET', '/v1/whoami', { token: first.token })).json()).toMatchObject({ status: 401, code: 'token-invalid' });
    expect((await call(h, 'POST', '/v1/auth/token', { token: first.session })).status).toBe(401);

    h.clock.advance(30_000);
    const second = await loginAs(h, 'token-user', secrets);
    h.clock.advance(5 * 60_000);
    expect((await call(h, 'GET', '/v1/whoami', { token: second.token })).json()).toMatchObject({ code: 'token-invalid', title: 'access token expired' });
    const fresh = (await call(h, 'POST', '/v1/auth/token', { token: second.session })).json() as { accessToken: string };
    await h.access.tokens.rotate();
    expect((await call(h, 'GET', '/v1/whoami', { token: fresh.accessToken })).status).toBe(200);
    await h.access.tokens.retireOld();
    expect((await call(h, 'GET', '/v1/whoami', { token: fresh.accessToken })).json()).toMatchObject({ code: 'token-invalid' });
    const jwks = (await call(h, 'GET', '/.well-known/jwks.json')).json() as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
    admin = { ...admin, token: ((await call(h, 'POST', '/v1/auth/token', { token: admin.session })).json() as { accessToken: string }).accessToken };
  });

  it('issues API keys shown once, and refuses a revoked one and its tokens', async () => {
    const account = (await call(h, 'POST', '/v1/service-accounts', { token: admin.token, body: { name: 'gpu-agent', roles: ['ml-engineer'] } })).json() as { id: string };
    const issued = (await call(h, 'POST', `/v1/service-accounts/${account.id}/api-keys`, { token: admin.token, body: { scopes: ['dataset.read'] } })).json() as { id: string; key: string };
    expect(issued.key).toMatch(/^phg_live_/);
    const listed = await call(h, 'GET', `/v1/service-accounts/${account.id}/api-keys`, { token: admin.token });
    expect(listed.text).not.toContain(issued.key.slice(-20));
    const token = ((await call(h, 'POST', '/v1/auth/token', { token: issued.key })).json() as { accessToken: string }).accessToken;
    const read = await call(h, 'GET', '/v1/datasets/ds_01j0000000000000000000000a', { token, headers: { 'x-purpose-of-use': 'HRESCH' } });
    expect(read.status).toBe(200);
    expect((await call(h, 'GET', '/v1/whoami', { token })).json()).toMatchObject({ kind: 'service', scopes: ['dataset.read'] });
    expect((await call(h, 'DELETE', `/v1/api-keys/${issued.id}`, { token: admin.token })).status).toBe(204);
    expect((await call(h, 'POST', '/v1/auth/token', { token: issued.key })).json()).toMatchObject({ status: 401, code: 'api-key-invalid' });
    expect((await call(h, 'GET', '/v1/datasets/ds_01j0000000000000000000000a', { token, headers: { 'x-purpose-of-use': 'HRESCH' } })).status).toBe(401);
  });

  it('runs break-glass end to end: fresh MFA, high-severity event, access for 30 minutes, review queue', async () => {
    await newUser('night-nurse', ['annotator']);
    await newUser('officer', ['security-officer']);
    let nurse = await loginAs(h, 'night-nurse', secrets);
    const dataset = 'ds_01j0000000000000000000000b';
    const read = (): Promise<{ status: number }> => call(h, 'GET', `/v1/datasets/${dataset}`, { token: nurse.token, headers: { 'x-purpose-of-use': 'BTG' } });
    expect((await read()).status).toBe(403);
    h.clock.advance(6 * 60_000);
    // Access tokens live 5 minutes: exchange the (still active) session for a new one.
    nurse = { ...nurse, token: ((await call(h, 'POST', '/v1/auth/token', { token: nurse.session })).json() as { accessToken: string }).accessToken };
    const officer = await loginAs(h, 'officer', secrets);
    expect((await call(h, 'POST', '/v1/break-glass', { token: nurse.token, body: { datasetId: dataset, reason: 'ETREAT' } })).status).toBe(403);
    const code = totpCode(secrets.get('night-nurse') ?? '', h.clock.nowMs());
    expect((await call(h, 'POST', '/v1/auth/reauth', { token: nurse.session, body: { totp: code } })).status).toBe(204);
    const started = await call(h, 'POST', '/v1/break-glass', { token: nurse.token, body: { datasetId: dataset, reason: 'ETREAT' } });
    expect(started.status).toBe(201);
    expect(h.audit.withAction('breakglass.start').at(-1)).toMatchObject({ details: { severity: 'high', alert: true }, purpose: 'BTG' });
    expect((await read()).status).toBe(200);
    const queue = (await call(h, 'GET', '/v1/break-glass/review-queue', { token: officer.token })).json() as { id: string }[];
    const id = (started.json() as { id: string }).id;
    expect(queue.map((q) => q.id)).toContain(id);
    expect((await call(h, 'GET', '/v1/break-glass/review-queue', { token: nurse.token })).status).toBe(403);
    expect((await call(h, 'POST', `/v1/break-glass/${id}/review`, { token: officer.token })).status).toBe(204);
    const denials = h.audit.withAction('authz.decide').filter((e) => e.outcome === 'denied');
    expect(denials.length).toBeGreaterThan(0);
  });

  it('never puts seeded PHI from request bodies or URLs in logs or error responses', async () => {
    const phi = ['Zebulon Quackenbush', '078-05-1120', '1962-07-04', 'MRN 4471923'];
    const answers = [
      await call(h, 'POST', '/v1/auth/login', { body: { username: phi[0], password: `${phi[1] ?? ''} ${phi[2] ?? ''}` } }),
      await call(h, 'POST', '/v1/users', { token: admin.token, body: { username: 'zebulon', password: phi.join(' '), roles: ['annotator'], note: phi[3] } }),
      await call(h, 'POST', '/v1/users', { token: admin.token, body: { username: phi[0], password: phi[1], roles: ['annotator'] } }),
      await call(h, 'POST', '/v1/grants', { token: admin.token, body: { grantee: phi[1], datasetId: phi[3], action: 'dataset.read', purpose: 'HRESCH', expiresAt: phi[2] } }),
      await call(h, 'GET', `/v1/datasets/${encodeURIComponent(phi[0] ?? '')}?patient=${encodeURIComponent(phi[3] ?? '')}`, { token: admin.token }),
      await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: phi[1], recoveryCode: phi[2] } }),
      await call(h, 'POST', '/v1/auth/login', { headers: { 'content-type': 'application/json' }, body: undefined }),
    ];
    for (const a of answers) {
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
      for (const value of phi) expect(a.text).not.toContain(value);
      expect(a.text).not.toMatch(/at .*\.ts:\d+/);
    }
    const logs = h.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const value of [...phi, encodeURIComponent(phi[0] ?? ''), PASSWORD, admin.token]) expect(logs).not.toContain(value);
    expect(JSON.stringify(h.audit.events)).not.toMatch(/Zebulon|078-05-1120|4471923/);
  });
});
