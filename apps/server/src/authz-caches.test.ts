// The caches on the authorized path (verified tokens, session/principal rows, grants, Cedar
// decisions) never outlive the change that should end them: each case first warms every cache
// with an allowed request, then changes one thing and expects the very next request to see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, loginAs, PASSWORD, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
const secrets = new Map<string, string>();
let admin: { session: string; token: string };
let steward: { session: string; token: string };
const DATASET = 'ds_01j0000000000000000000000a';
const read = (token: string): Promise<number> => call(h, 'GET', `/v1/datasets/${DATASET}`, { token, headers: { 'x-purpose-of-use': 'HRESCH' } }).then((a) => a.status);

beforeAll(async () => {
  h = await startHarness();
  await h.access.authenticator.createUser({ username: 'cache-admin', password: PASSWORD, roles: ['admin'] }, undefined);
  await h.access.authenticator.createUser({ username: 'cache-steward', password: PASSWORD, roles: ['data-steward'] }, undefined);
  admin = await loginAs(h, 'cache-admin', secrets);
  steward = await loginAs(h, 'cache-steward', secrets);
});
afterAll(() => h.close());

async function grantRead(grantee: string, forMs = 3600_000): Promise<string> {
  const res = await call(h, 'POST', '/v1/grants', { token: steward.token, body: { grantee, datasetId: DATASET, action: 'dataset.read', purpose: 'HRESCH', expiresAt: new Date(h.clock.nowMs() + forMs).toISOString() } });
  expect(res.status).toBe(201);
  return (res.json() as { id: string }).id;
}

describe('authorization caches and their invalidation', () => {
  it('a revoked grant denies the next request', async () => {
    const id = (await h.access.authenticator.createUser({ username: 'cache-annotator', password: PASSWORD, roles: ['annotator'] }, undefined)).id;
    const annotator = await loginAs(h, 'cache-annotator', secrets);
    expect(await read(annotator.token)).toBe(403);
    const grant = await grantRead(id);
    expect(await read(annotator.token)).toBe(200);
    expect(await read(annotator.token)).toBe(200);
    expect((await call(h, 'DELETE', `/v1/grants/${grant}`, { token: steward.token })).status).toBe(204);
    expect(await read(annotator.token)).toBe(403);
  });

  it('an expired grant denies without any write', async () => {
    const id = (await h.access.authenticator.createUser({ username: 'cache-expiring', password: PASSWORD, roles: ['annotator'] }, undefined)).id;
    const user = await loginAs(h, 'cache-expiring', secrets);
    await grantRead(id, 120_000);
    expect(await read(user.token)).toBe(200);
    h.clock.advance(119_000);
    expect(await read(user.token)).toBe(200);
    h.clock.advance(1_000);
    expect(await read(user.token)).toBe(403);
  });

  it('a role change is effective on the next request', async () => {
    const id = (await h.access.authenticator.createUser({ username: 'cache-promoted', password: PASSWORD, roles: ['annotator'] }, undefined)).id;
    const user = await loginAs(h, 'cache-promoted', secrets);
    expect(await read(user.token)).toBe(403);
    expect((await call(h, 'GET', '/v1/whoami', { token: user.token })).json()).toMatchObject({ roles: ['annotator'] });
    await h.access.store.updateUser(id, { roles: ['data-steward'] });
    expect((await call(h, 'GET', '/v1/whoami', { token: user.token })).json()).toMatchObject({ roles: ['data-steward'] });
    expect(await read(user.token)).toBe(200);
    await h.access.store.updateUser(id, { roles: ['auditor'] });
    expect(await read(user.token)).toBe(403);
    await h.access.store.updateUser(id, { disabled: true });
    expect(await read(user.token)).toBe(401);
  });

  it('a revoked API key and a logged-out session refuse their cached tokens at once', async () => {
    const account = (await call(h, 'POST', '/v1/service-accounts', { token: admin.token, body: { name: 'cache-agent', roles: ['ml-engineer'] } })).json() as { id: string };
    const issued = (await call(h, 'POST', `/v1/service-accounts/${account.id}/api-keys`, { token: admin.token, body: { scopes: ['dataset.read'] } })).json() as { id: string; key: string };
    const token = ((await call(h, 'POST', '/v1/auth/token', { token: issued.key })).json() as { accessToken: string }).accessToken;
    expect(await read(token)).toBe(200);
    expect(await read(token)).toBe(200);
    expect((await call(h, 'DELETE', `/v1/api-keys/${issued.id}`, { token: admin.token })).status).toBe(204);
    expect(await read(token)).toBe(401);

    await h.access.authenticator.createUser({ username: 'cache-leaver', password: PASSWORD, roles: ['data-steward'] }, undefined);
    const user = await loginAs(h, 'cache-leaver', secrets);
    expect(await read(user.token)).toBe(200);
    expect((await call(h, 'POST', '/v1/auth/logout', { token: user.session })).status).toBe(204);
    expect(await read(user.token)).toBe(401);
  });

  it('an expired access token is refused although it was verified before', async () => {
    await h.access.authenticator.createUser({ username: 'cache-clock', password: PASSWORD, roles: ['data-steward'] }, undefined);
    const user = await loginAs(h, 'cache-clock', secrets);
    expect(await read(user.token)).toBe(200);
    h.clock.advance(4 * 60_000);
    expect(await read(user.token)).toBe(200);
    h.clock.advance(60_000);
    expect((await call(h, 'GET', `/v1/datasets/${DATASET}`, { token: user.token, headers: { 'x-purpose-of-use': 'HRESCH' } })).json()).toMatchObject({ code: 'token-invalid', title: 'access token expired' });
  });

  it('a session idle past the timeout is refused although its row is cached', async () => {
    await h.access.authenticator.createUser({ username: 'cache-idle', password: PASSWORD, roles: ['data-steward'] }, undefined);
    const user = await loginAs(h, 'cache-idle', secrets);
    expect(await read(user.token)).toBe(200);
    h.clock.advance(h.access.authenticator.idleTimeoutMs);
    expect(await read(user.token)).toBe(401);
  });
});
