import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { ApiKeys, argon2idHasher, Authenticator, Authorizer, PolicyEngine, TokenIssuer, totpCode, type AccessStore, type PasswordHasher, type Role } from '@phiguard/access';
import { openConfiguredLedgerStore, openLedger, type Ledger, type LedgerStore } from '@phiguard/audit';
import { loadConfig, systemClock, type Clock } from '@phiguard/core';
import { buildServer, ensureLocalTls, readTlsOptions, type AccessServices, type RemoteServices } from '@phiguard/server';
import type { FastifyInstance } from 'fastify';
import { capturingContext } from './cli-harness.ts';
import { buildProgram } from '../program.ts';
import { openRemoteServices, type OpenedRemoteServices } from '../remote/serve-remote.ts';

// What the integration tests of remote commands share: their own PostgreSQL schemas, users with
// cheap password hashes, the access services `phiguard serve` wires, a TOTP login, and the HTTPS
// server itself wired like `phiguard serve` (serveForTest).

/** The test database with `schema` as search_path (each suite makes and drops its own). */
export function testDatabaseUrl(schema: string): string {
  return `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;
}

/** Runs SQL on the test database; returns its unaligned tuples-only output. */
export function psql(sql: string): string {
  return spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-At', '-c', sql], { encoding: 'utf8' }).stdout;
}

/** argon2id at its minimum cost: tests create and log in many users. */
export const cheapHasher: PasswordHasher = argon2idHasher({ memoryCost: 1024, timeCost: 1 });

/** Creates one user per entry with the same password; returns their ids by user name. */
export async function createUsers(store: AccessStore, roles: Readonly<Record<string, readonly Role[]>>, password: string): Promise<Record<string, string>> {
  // Audit of these set-up steps is not under test: it goes nowhere.
  const bootstrap = new Authenticator({ store, clock: systemClock, audit: { record: () => Promise.resolve({ index: 0 }) } as never, hasher: cheapHasher });
  const ids: Record<string, string> = {};
  for (const [username, r] of Object.entries(roles)) ids[username] = (await bootstrap.createUser({ username, password, roles: [...r] }, undefined)).id;
  return ids;
}

/** The access services `phiguard serve` builds, auditing to `ledger`. */
export async function testAccessServices(store: AccessStore, ledger: Ledger): Promise<AccessServices> {
  return {
    store,
    clock: systemClock,
    authenticator: new Authenticator({ store, clock: systemClock, audit: ledger, hasher: cheapHasher }),
    apiKeys: new ApiKeys(store, systemClock, ledger),
    tokens: await TokenIssuer.create(systemClock),
    authorizer: new Authorizer(new PolicyEngine(), store, systemClock, ledger),
  };
}

/** A Writable that appends what it gets to a string (server logs, stderr). */
export function textSink(append: (text: string) => void): Writable {
  return new Writable({ write(chunk: Buffer, _encoding, done) { append(chunk.toString()); done(); } });
}

/**
 * `phiguard --server URL --ca CA login --username USER` in `cwd` at first login: answers the
 * password prompt, reads the TOTP secret it enrols and answers with a current code.
 */
export async function loginWithTotp(options: { cwd: string; url: string; ca: string; username: string; password: string }): Promise<void> {
  const { cwd, url, ca, username, password } = options;
  mkdirSync(cwd, { recursive: true });
  const stdin = new PassThrough();
  const { ctx, output } = capturingContext({ cwd, env: {}, stdin });
  const done = buildProgram(ctx).parseAsync(['node', 'phiguard', '--server', url, '--ca', ca, 'login', '--username', username]);
  stdin.write(`${password}\n`);
  for (let i = 0; i < 400 && !output().err.includes('secret: '); i++) await new Promise((r) => setTimeout(r, 25));
  const secret = /secret: ([A-Z2-7]+)/.exec(output().err)?.[1] ?? '';
  stdin.write(`${totpCode(secret, Date.now())}\n`);
  await done;
}

/** What {@link serveForTest} needs; what differs between the suites is optional. */
export interface TestServerOptions {
  /** The server's working folder: its `.phiguard` home (keystore, TLS, blobs) is here. */
  readonly cwd: string;
  /** The server process's environment: PHIGUARD_DATABASE_URL and the keystore's unlock secret. */
  readonly env: Readonly<Record<string, string>>;
  /** The test's users (the access services are built over it, auditing to this server's ledger). */
  readonly store: AccessStore;
  /** Clock of the remote-command services (the linkage suite runs its vault ahead of time). */
  readonly clock?: Clock;
  /** Port to listen on; 0 (default) picks a free one (a restart passes the previous one). */
  readonly port?: number;
  /** Receives the server's log lines (JSON). */
  readonly log?: (text: string) => void;
}

/** A running test server and what the suites inspect; `close` stops it and closes its stores. */
export interface TestServer {
  readonly url: string;
  /** The embedded CA the CLI trusts (PEM file). */
  readonly ca: string;
  readonly app: FastifyInstance;
  /** The remote-command services (keys, datasets, de-identification, audit) the routes use. */
  readonly services: RemoteServices;
  readonly ledger: Ledger;
  readonly ledgerStore: LedgerStore;
  readonly close: () => Promise<void>;
}

/**
 * Starts an HTTPS server (embedded CA, TLS 1.3) wired as `phiguard serve` wires it
 * (commands/serve.ts): config from `cwd` and `env`, the ledger, `openRemoteServices` (keystore,
 * vault, de-identification, linkage vault) and their routes, on 127.0.0.1. Not served here:
 * jobs, Kubernetes dispatch and SIEM shipping (no suite uses them), and the access services are
 * the cheap-hash test ones. If the services fail to open (a locked keystore), the ledger is
 * closed again and the error is thrown.
 */
export async function serveForTest(options: TestServerOptions): Promise<TestServer> {
  const clock = options.clock ?? systemClock;
  const config = loadConfig({ cwd: options.cwd, env: options.env });
  const ledgerStore = await openConfiguredLedgerStore(config.database);
  const ledger = await openLedger({ config, clock: systemClock, store: ledgerStore });
  let remote: OpenedRemoteServices;
  try {
    remote = await openRemoteServices(config, { cwd: options.cwd, env: options.env, stderr: new PassThrough() }, ledger, ledgerStore, clock);
  } catch (error) {
    await ledger.close();
    throw error;
  }
  const tls = ensureLocalTls(config.home);
  const log = options.log;
  const app = buildServer({
    version: 'test', isReady: () => Promise.resolve(true), access: await testAccessServices(options.store, ledger),
    remote: remote.services,
    ...(remote.catalog === undefined ? {} : { datasets: remote.catalog }),
    ...(remote.linkage === undefined ? {} : { linkage: remote.linkage }),
    https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }),
    ...(log === undefined ? {} : { logStream: textSink(log) }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return {
    url, ca: tls.caCert, app, services: remote.services, ledger, ledgerStore,
    close: async () => {
      await app.close();
      await remote.close();
      await ledger.close();
    },
  };
}
