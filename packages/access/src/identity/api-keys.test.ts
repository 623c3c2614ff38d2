import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from './api-keys.ts';
import type { Principal } from './principal.ts';
import { accessFixture, type AccessFixture } from './test-fixtures.ts';

let f: AccessFixture;
let keys: ApiKeys;
const admin: Principal = { kind: 'user', id: 'usr_01hzzzzzzzzzzzzzzzzzzzzzza', roles: ['admin'], custodianOf: [] };
const accountId = 'svc_01hzzzzzzzzzzzzzzzzzzzzzzb';
beforeAll(async () => {
  f = await accessFixture();
  keys = new ApiKeys(f.store, f.clock, f.audit);
  await f.store.createServiceAccount({ id: accountId, name: 'gpu-agent', roles: ['ml-engineer'], disabled: false, createdMs: 0 });
});
afterAll(() => f.store.close());

describe('ApiKeys', () => {
  it('issues a prefixed key shown once, stores only its hash, and verifies it', async () => {
    const issued = await keys.create(accountId, ['dataset.read'], admin);
    expect(issued.key).toMatch(/^phg_live_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/);
    const stored = await f.store.getApiKey(issued.record.id);
    expect(JSON.stringify(stored)).not.toContain(issued.key.slice(-43));
    await expect(keys.verify(issued.key)).resolves.toMatchObject({ accountId, scopes: ['dataset.read'] });
    await expect(keys.verify(`${issued.key.slice(0, -1)}${issued.key.endsWith('A') ? 'B' : 'A'}`)).rejects.toMatchObject({ code: 'api-key-invalid' });
  });

  it('refuses a revoked, a rotated-out and an expired key', async () => {
    const a = await keys.create(accountId, ['job.run'], admin);
    await keys.revoke(a.record.id, admin);
    await expect(keys.verify(a.key)).rejects.toMatchObject({ message: 'API key refused: revoked' });
    const b = await keys.create(accountId, ['job.run'], admin, 60_000);
    const c = await keys.rotate(b.record.id, admin);
    await expect(keys.verify(b.key)).rejects.toMatchObject({ code: 'api-key-invalid' });
    await expect(keys.verify(c.key)).resolves.toMatchObject({ scopes: ['job.run'] });
    f.clock.advance(60_000);
    await expect(keys.verify(c.key)).rejects.toMatchObject({ message: 'API key refused: expired' });
    expect(f.audit.withAction('apikey.revoke').length).toBeGreaterThanOrEqual(2);
  });
});
