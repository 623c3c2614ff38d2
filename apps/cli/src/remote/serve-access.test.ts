// The server's access services across a restart (same data folder and database): access tokens
// issued before still verify, TOTP secrets are sealed in the database, and the root key file is private.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { openPgliteAccessStore, ROOT_KEY_FILE, SecretBox, totpCode, WRAPPED_ROOT_KEY_FILE, type AccessStore } from '@phiguard/access';
import { loadConfig, newId, systemClock } from '@phiguard/core';
import { initKeystore } from '@phiguard/keys';
import { buildServer } from '@phiguard/server';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAccessServices, serveAccessOptions } from './serve-access.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'phiguard-serve-access-'));
afterAll(() => { rmSync(home, { recursive: true, force: true }); });

async function start(): Promise<{ app: ReturnType<typeof buildServer>; store: AccessStore; access: Awaited<ReturnType<typeof buildAccessServices>> }> {
  const store = await openPgliteAccessStore(path.join(home, 'access'));
  const access = await buildAccessServices(store, systemClock, new MemoryAuditRecorder(), { home });
  return { app: buildServer({ version: 'test', isReady: () => Promise.resolve(true), access }), store, access };
}

describe('serve access services across a restart', () => {
  it('keeps access tokens valid, keeps TOTP secrets sealed, and keeps the root key file 0600', async () => {
    const first = await start();
    await first.access.authenticator.createUser({ username: 'restart-alice', password: 'violet-anchor-drizzle', roles: ['auditor'] }, undefined);
    const login = (await first.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'restart-alice', password: 'violet-anchor-drizzle' } })).json<{ challengeId: string; enrolment: { secret: string } }>();
    const mfa = (await first.app.inject({ method: 'POST', url: '/v1/auth/mfa', payload: { challengeId: login.challengeId, totp: totpCode(login.enrolment.secret, Date.now()) } })).json<{ sessionToken: string }>();
    const token = (await first.app.inject({ method: 'POST', url: '/v1/auth/token', headers: { authorization: `Bearer ${mfa.sessionToken}` } })).json<{ accessToken: string }>().accessToken;
    expect((await first.app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    await first.app.close();
    await first.store.close();

    const second = await start();
    try {
      const whoami = await second.app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
      expect(whoami.statusCode).toBe(200);
      const stored = (await second.store.listUsers()).find((u) => u.username === 'restart-alice')?.totpSecret ?? '';
      expect(SecretBox.isSealed(stored)).toBe(true);
      expect(stored).not.toContain(login.enrolment.secret);
      expect(statSync(path.join(home, ROOT_KEY_FILE)).mode & 0o777).toBe(0o600);
      // A rotated-out key refuses after the next restart too.
      await second.access.tokens.rotate();
      await second.access.tokens.retireOld();
    } finally {
      await second.app.close();
      await second.store.close();
    }
    const third = await start();
    try {
      expect((await third.app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } })).json()).toMatchObject({ code: 'token-invalid' });
    } finally {
      await third.app.close();
      await third.store.close();
    }
  });
});

describe('root key wrapped by the local keystore', () => {
  it('keeps only the wrapped root key on disk and opens the sealed secrets after a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'phiguard-serve-keystore-'));
    try {
      const keyFile = path.join(dir, 'master.key');
      writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
      mkdirSync(path.join(dir, 'keys'), { recursive: true });
      const config = loadConfig({ cwd: dir, env: { PHIGUARD_HOME: dir } });
      // A relative key file is found from the command's working folder (not the process's).
      const options = serveAccessOptions(config, { cwd: dir, env: { PHIGUARD_ACCESS_SECRETS_KEY: 'access-secrets', PHIGUARD_KEYS_KEY_FILE: 'master.key' } }, 8443);
      if (options.keystore === undefined) throw new Error('keystore option expected');
      const actor = newId('usr', systemClock);
      const custodians = [newId('usr', systemClock), newId('usr', systemClock)];
      const { manager } = await initKeystore({ file: options.keystore.file, unlock: options.keystore.unlock, audit: new MemoryAuditRecorder(), clock: systemClock, actor, custodians, threshold: 2 });
      await manager.createKey(actor, 'access-secrets');
      manager.close();
      const open = async (): Promise<{ store: AccessStore; access: Awaited<ReturnType<typeof buildAccessServices>> }> => {
        const store = await openPgliteAccessStore(path.join(dir, 'access'));
        return { store, access: await buildAccessServices(store, systemClock, new MemoryAuditRecorder(), options) };
      };
      const first = await open();
      const issued = await first.access.tokens.issue({ sub: actor, kind: 'user', source: 'ses_01hzzzzzzzzzzzzzzzzzzzzzzb', scopes: [] });
      await first.store.close();
      expect(existsSync(path.join(dir, ROOT_KEY_FILE))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(dir, WRAPPED_ROOT_KEY_FILE), 'utf8'))).toMatchObject({ provider: 'local', keyId: 'access-secrets' });
      const second = await open();
      await expect(second.access.tokens.verify(issued.token)).resolves.toMatchObject({ sub: actor });
      await second.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
