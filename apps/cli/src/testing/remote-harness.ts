import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { ApiKeys, argon2idHasher, Authenticator, Authorizer, PolicyEngine, TokenIssuer, totpCode, type AccessStore, type PasswordHasher, type Role } from '@phiguard/access';
import type { Ledger } from '@phiguard/audit';
import { systemClock } from '@phiguard/core';
import type { AccessServices } from '@phiguard/server';
import { capturingContext } from './cli-harness.ts';
import { buildProgram } from '../program.ts';

// What the integration tests of remote commands share: their own PostgreSQL schemas, users with
// cheap password hashes, the access services `phiguard serve` wires, and a TOTP login.

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
