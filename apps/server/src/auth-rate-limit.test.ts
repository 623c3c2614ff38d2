import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, PASSWORD, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ authFailureLimit: { max: 4, windowMs: 60_000 } });
  await h.access.authenticator.createUser({ username: 'spray-target', password: PASSWORD, roles: ['auditor'] }, undefined);
});
afterAll(() => h.close());

it('rate-limits one address spraying passwords across accounts, then lets it in after the window', async () => {
  for (let i = 0; i < 4; i++) {
    expect((await call(h, 'POST', '/v1/auth/login', { body: { username: `someone-${String(i)}`, password: `guess-number-${String(i)}` } })).status).toBe(401);
  }
  const refused = await call(h, 'POST', '/v1/auth/login', { body: { username: 'spray-target', password: PASSWORD } });
  expect(refused.status).toBe(429);
  expect(refused.json()).toMatchObject({ code: 'rate-limited' });
  h.clock.advance(60_000);
  expect((await call(h, 'POST', '/v1/auth/login', { body: { username: 'spray-target', password: PASSWORD } })).status).toBe(200);
});
