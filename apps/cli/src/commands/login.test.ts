import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { openPgliteAccessStore, totpCode } from '@phiguard/access';
import { loadConfig, systemClock } from '@phiguard/core';
import { buildServer, ensureLocalTls, readTlsOptions } from '@phiguard/server';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';
import { cliSessionFile } from '../remote/cli-session.ts';
import { buildAccessServices } from '../remote/serve-access.ts';

const PASSWORD = 'violet-anchor-drizzle';
let home: string;
let app: FastifyInstance;
let url: string;
let closeStore: () => Promise<void>;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'phiguard-login-'));
  const tls = ensureLocalTls(home);
  const store = await openPgliteAccessStore(undefined);
  closeStore = () => store.close();
  const access = await buildAccessServices(store, systemClock, new MemoryAuditRecorder());
  await access.authenticator.createUser({ username: 'alice', password: PASSWORD, roles: ['auditor', 'annotator'] }, undefined);
  app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), access, https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await closeStore();
  rmSync(home, { recursive: true, force: true });
  process.exitCode = 0;
});

function cli(stdin?: PassThrough): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  const env = { PHIGUARD_HOME: home };
  return { ctx: { version: 'test', cwd: home, env, stdout, stderr, ...(stdin === undefined ? {} : { stdin }), config: () => loadConfig({ cwd: home, env }) }, out: () => o, err: () => e };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('phiguard login / whoami', () => {
  it('logs in with password and TOTP (enrolling it), keeps the session 0600, and whoami shows the roles', async () => {
    const stdin = new PassThrough();
    const { ctx, out, err } = cli(stdin);
    const done = buildProgram(ctx).parseAsync(['node', 'phiguard', 'login', '--server', url, '--username', 'alice']);
    stdin.write(`${PASSWORD}\n`);
    await until(() => err().includes('secret: '));
    const secret = /secret: ([A-Z2-7]+)/.exec(err())?.[1] ?? '';
    stdin.write(`${totpCode(secret, Date.now())}\n`);
    await done;
    expect(out()).toContain(`logged in to ${url}`);
    expect(err()).toMatch(/Recovery codes/);
    expect(err()).not.toContain(PASSWORD);
    expect(statSync(cliSessionFile(home)).mode & 0o777).toBe(0o600);

    const who = cli();
    await buildProgram(who.ctx).parseAsync(['node', 'phiguard', 'whoami']);
    expect(who.out()).toMatch(/^usr_[0-9a-z]{26} \(user\) on https:\/\/127\.0\.0\.1:\d+\nroles: auditor, annotator\n$/);
  });

  it('reports a wrong password without a stack', async () => {
    const stdin = new PassThrough();
    const { ctx, err } = cli(stdin);
    const done = buildProgram(ctx).parseAsync(['node', 'phiguard', 'login', '--server', url, '--username', 'alice']);
    stdin.write('not-the-password-at-all\n');
    await done;
    expect(err()).toContain('login refused: invalid-credentials (401)');
    expect(process.exitCode).toBe(1);
  });
});
