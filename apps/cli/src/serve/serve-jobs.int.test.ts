import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { openPgliteAccessStore, type AccessStore, type Role } from '@phiguard/access';
import { openConfiguredLedgerStore, openLedger, type Ledger } from '@phiguard/audit';
import { loadConfig, systemClock } from '@phiguard/core';
import { buildServer, ensureLocalTls, readTlsOptions } from '@phiguard/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRemoteServices, type OpenedRemoteServices } from '../remote/serve-remote.ts';
import { runCliTyped } from '../testing/cli-harness.ts';
import { createUsers, loginWithTotp, psql, testAccessServices, testDatabaseUrl } from '../testing/remote-harness.ts';
import { serveJobs, type ServedJobs } from './serve-jobs.ts';

// A server started WITHOUT a keystore serves the jobs, nodes and agent routes from the moment a
// custodian creates the keystore over HTTPS (`keys init --server`): 503 not-configured before,
// the real answers after, no restart. Wired as `phiguard serve` wires it (serve-jobs.ts).
const PASSWORD = 'violet-anchor-drizzle';
const ROLES: Record<string, Role[]> = { kc1: ['key-custodian'], kc2: ['key-custodian'], eng: ['ml-engineer'] };
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-jobs-'));
const schema = `cli_sj_${randomBytes(4).toString('hex')}`;
const serverRoot = path.join(root, 'server');
const serverEnv = { PHIGUARD_DATABASE_URL: testDatabaseUrl(schema), PHIGUARD_KEYS_PASSPHRASE: 'Tangerine-Lighthouse-4417-passphrase' };
const ids: Record<string, string> = {};
const logged: string[] = [];
let store: AccessStore;
let ledger: Ledger;
let remote: OpenedRemoteServices;
let jobs: ServedJobs;
let app: FastifyInstance;
let url = '';

const clientDir = (user: string): string => path.join(root, `client-${user}`);
const remoteRun = (user: string, ...args: string[]) => runCliTyped({ cwd: clientDir(user), env: {} }, '--server', url, ...args);
const NO_SUCH_JOB = 'job_01j00000000000000000000000';

beforeAll(async () => {
  mkdirSync(serverRoot, { recursive: true });
  psql(`create schema ${schema}`);
  store = await openPgliteAccessStore(undefined);
  Object.assign(ids, await createUsers(store, ROLES, PASSWORD));
  const config = loadConfig({ cwd: serverRoot, env: serverEnv });
  const ledgerStore = await openConfiguredLedgerStore(config.database);
  ledger = await openLedger({ config, clock: systemClock, store: ledgerStore });
  remote = await openRemoteServices(config, { cwd: serverRoot, env: serverEnv, stderr: new PassThrough() }, ledger, ledgerStore, systemClock);
  jobs = await serveJobs(config, serverEnv, remote, ledger, (line) => logged.push(line));
  const tls = ensureLocalTls(config.home);
  app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), access: await testAccessServices(store, ledger), remote: remote.services, jobs: jobs.jobs, https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  for (const user of Object.keys(ROLES)) {
    mkdirSync(clientDir(user), { recursive: true });
    await loginWithTotp({ cwd: clientDir(user), url, ca: tls.caCert, username: user, password: PASSWORD });
  }
}, 240_000);

afterAll(async () => {
  await app.close();
  await jobs.close();
  await remote.close();
  await ledger.close();
  await store.close();
  psql(`drop schema if exists ${schema} cascade`);
  rmSync(root, { recursive: true, force: true });
  process.exitCode = 0;
});

describe('phiguard serve without a keystore: job dispatch follows the keystore', () => {
  it('answers 503 not-configured until `keys init --server`, then serves the jobs routes without a restart', async () => {
    expect(jobs.jobs()).toBeUndefined();
    expect(jobs.notes()).toEqual([expect.stringMatching(/^jobs: not served yet/)]);
    expect((await remoteRun('eng', 'jobs', 'status', NO_SUCH_JOB)).err).toMatch(/refused: not-configured \(503\)/);

    const custodians = ['kc1', 'kc2'].flatMap((u) => ['--custodian', ids[u] ?? '']);
    const init = await remoteRun('kc1', 'keys', 'init', ...custodians, '--threshold', '2');
    expect(init.error).toBeUndefined();
    expect(init.out).toMatch(/^keystore created on /);

    expect(jobs.jobs()).toBeDefined();
    expect(jobs.notes()[0]).toMatch(/^jobs: served to node agents/);
    expect(logged.some((l) => l.startsWith('jobs: served to node agents'))).toBe(true);
    // The route now reaches the dispatcher: an unknown job is 404, not 503.
    const after = await remoteRun('eng', 'jobs', 'status', NO_SUCH_JOB);
    expect(after.err).toMatch(/refused: not-found \(404\)/);
    expect(after.code).toBe(1);
  }, 120_000);
});
