import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPgliteAccessStore, type AccessStore, type Role } from '@phiguard/access';
import { systemClock } from '@phiguard/core';
import { openKeyManager } from '@phiguard/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliTyped, type TypedCliResult } from '../testing/cli-harness.ts';
import { createUsers, loginWithTotp, psql, serveForTest, testDatabaseUrl, type TestServer } from '../testing/remote-harness.ts';

// keys init|recover|seal|unseal --server URL through the CLI entry point against a real HTTPS
// server (embedded CA, TLS 1.3) wired like `phiguard serve`, started WITHOUT a keystore: a
// custodian initialises it, then it is "lost" and recovered from two custodians' shares while
// the server runs. Seal/unseal round trips go both ways with the local commands.
const PASSWORD = 'violet-anchor-drizzle';
const PHI = 'Quixote-Smithers 1962-04-17 MRN 99887766';
const PASSPHRASE = 'Tangerine-Lighthouse-4417-passphrase';
const NEW_PASSPHRASE = 'Marmalade-Observatory-9932-passphrase';
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-remote-keystore-'));
const suffix = randomBytes(4).toString('hex');
const schemas = { server: `cli_rks_s_${suffix}`, local: `cli_rks_l_${suffix}` };
const dbUrl = testDatabaseUrl;
const serverRoot = path.join(root, 'server');
const localRoot = path.join(root, 'local');

const ROLES: Record<string, Role[]> = { steward: ['data-steward'], kc1: ['key-custodian'], kc2: ['key-custodian'], kc3: ['key-custodian'], auditor: ['auditor'], annotator: ['annotator'] };
const ids: Record<string, string> = {};
const shares: Record<string, string> = {};
let store: AccessStore;
let server: TestServer;
let url = '';
let ca = '';
let logs = '';
/** Every error and stderr line the CLI printed (the share-bearing init answer is kept apart). */
let printed = '';

type Run = TypedCliResult;

async function run(cwd: string, env: Record<string, string>, args: readonly string[]): Promise<Run> {
  const result = await runCliTyped({ cwd, env }, ...args);
  printed += `${result.err}\n${result.error ?? ''}\n`;
  return result;
}

const serverEnv = { PHIGUARD_DATABASE_URL: dbUrl(schemas.server) };
const localEnv = { PHIGUARD_DATABASE_URL: dbUrl(schemas.local), PHIGUARD_KEYS_PASSPHRASE: PASSPHRASE };
const clientDir = (user: string): string => path.join(root, `client-${user}`);
const remoteRun = (user: string, ...args: string[]): Promise<Run> => run(clientDir(user), {}, ['--server', url, ...args]);
const localRun = (user: string, ...args: string[]): Promise<Run> => run(localRoot, localEnv, [...args, '--as', ids[user] ?? '']);

async function login(user: string): Promise<void> {
  await loginWithTotp({ cwd: clientDir(user), url, ca, username: user, password: PASSWORD });
}

/** Serves with `env` (its unlock secret) added to the server's environment, on `port` (0: any). */
async function startServer(env: Record<string, string>, port: number): Promise<void> {
  server = await serveForTest({ cwd: serverRoot, env: { ...serverEnv, ...env }, store, port, log: (t) => (logs += t) });
  ({ url, ca } = server);
}

/** A raw JSON request as `user` (for answers the CLI does not print). */
async function raw(user: string, method: string, route: string, body?: unknown, purpose?: string): Promise<{ status: number; text: string }> {
  const session = JSON.parse(readFileSync(path.join(clientDir(user), '.phiguard', 'cli-session.json'), 'utf8')) as { sessionToken: string };
  const call = (bearer: string, m: string, r: string, b?: unknown): Promise<{ status: number; text: string }> => new Promise((resolve, reject) => {
    const payload = b === undefined ? undefined : JSON.stringify(b);
    const req = https.request(`${url}${r}`, { method: m, ca: readFileSync(ca), minVersion: 'TLSv1.3', headers: { authorization: `Bearer ${bearer}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(purpose === undefined ? {} : { 'x-purpose-of-use': purpose }) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, text }); });
    });
    req.on('error', reject);
    req.end(payload);
  });
  const token = JSON.parse((await call(session.sessionToken, 'POST', '/v1/auth/token')).text) as { accessToken: string };
  return call(token.accessToken, method, route, body);
}

async function allLeaves(): Promise<string> {
  let text = '';
  for (let from = 0; ; from += 1000) {
    const leaves = await server.ledgerStore.readEntries(from, 1000);
    text += leaves.map((l) => l.toString('utf8')).join('\n');
    if (leaves.length < 1000) return text;
  }
}

beforeAll(async () => {
  for (const dir of [serverRoot, localRoot]) mkdirSync(dir, { recursive: true });
  psql(`create schema ${schemas.server}; create schema ${schemas.local}`);
  store = await openPgliteAccessStore(undefined);
  Object.assign(ids, await createUsers(store, ROLES, PASSWORD));
  // No keystore yet; the server holds its unlock secret (the passphrase is never sent).
  await startServer({ PHIGUARD_KEYS_PASSPHRASE: PASSPHRASE }, 0);
  for (const user of Object.keys(ROLES)) await login(user);
}, 240_000);

afterAll(async () => {
  await server.close();
  await store.close();
  psql(`drop schema if exists ${schemas.server} cascade; drop schema if exists ${schemas.local} cascade`);
  rmSync(root, { recursive: true, force: true });
  process.exitCode = 0;
});

describe('phiguard keys init|recover|seal|unseal --server URL', () => {
  it('init: a custodian initialises the server that has no keystore; keys and datasets work at once', async () => {
    expect((await remoteRun('kc1', 'keys', 'list')).error).toMatch(/not-configured \(503\)/);
    const custodians = ['kc1', 'kc2', 'kc3'].flatMap((u) => ['--custodian', ids[u] ?? '']);
    expect((await remoteRun('steward', 'keys', 'init', ...custodians, '--threshold', '2')).error).toMatch(/forbidden \(403\): not allowed: key.manage/);
    expect((await remoteRun('kc1', 'keys', 'init', '--custodian', ids.kc1 ?? '', '--custodian', ids.steward ?? '', '--threshold', '2')).error).toMatch(/invalid-argument \(400\)/);
    expect((await remoteRun('kc1', 'keys', 'init', ...custodians, '--threshold', '2', '--key-file', 'x')).error).toContain('[local-only]');

    const init = await run(clientDir('kc1'), {}, ['--server', url, 'keys', 'init', ...custodians, '--threshold', '2']);
    expect(init.error).toBeUndefined();
    const lines = init.out.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([`keystore created on ${url}`, 'recovery shares (give one to each custodian; any 2 recover the keystore; they are shown only now):']);
    for (const [i, user] of ['kc1', 'kc2', 'kc3'].entries()) {
      const match = new RegExp(`^  ${ids[user] ?? ''}  (pgks1-[0-9a-f]+)$`).exec(lines[2 + i] ?? '');
      shares[user] = match?.[1] ?? '';
      expect(shares[user]).not.toBe('');
    }
    expect((await remoteRun('kc2', 'keys', 'init', ...custodians, '--threshold', '2')).error).toMatch(/keystore-exists \(409\)/);

    expect((await remoteRun('kc1', 'keys', 'create', 'ds-key')).out).toBe('created ds-key v1\n');
    expect((await remoteRun('kc1', 'keys', 'create', 'old-key')).out).toBe('created old-key v1\n');
    const input = path.join(clientDir('steward'), 'scan.txt');
    writeFileSync(input, `seeded: ${PHI}\n`);
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'create', 'chest-ct', '--key', 'ds-key')).error).toBeUndefined();
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'add', 'chest-ct', input)).error).toBeUndefined();
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'list')).out).toMatch(/chest-ct/);
  }, 120_000);

  it('seal and unseal: remote seal → local unseal and local seal → remote unseal; the same envelope format; refused without purpose or role', async () => {
    // The local side holds a copy of the same keystore (as a backup would): same KEKs, its own ledger.
    mkdirSync(path.join(localRoot, '.phiguard', 'keys'), { recursive: true });
    copyFileSync(path.join(serverRoot, '.phiguard', 'keys', 'keystore.json'), path.join(localRoot, '.phiguard', 'keys', 'keystore.json'));
    const client = clientDir('steward');
    writeFileSync(path.join(client, 'notes.txt'), `note: ${PHI}\n`.repeat(5000));
    writeFileSync(path.join(localRoot, 'notes.txt'), `note: ${PHI}\n`.repeat(5000));

    const sealed = await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'seal', 'notes.txt', '--key', 'ds-key', '--context', 'dataset=chest-ct', '--frame-size', '4096');
    const local = await localRun('steward', 'keys', 'seal', 'notes.txt', '--key', 'ds-key', '--context', 'dataset=chest-ct', '--frame-size', '4096');
    expect(sealed.error).toBeUndefined();
    expect(sealed.out).toBe(local.out);
    const remoteSealed = readFileSync(path.join(client, 'notes.txt.pge'));
    const localSealed = readFileSync(path.join(localRoot, 'notes.txt.pge'));
    expect(remoteSealed.length).toBe(localSealed.length);
    expect(remoteSealed.subarray(0, 8).equals(localSealed.subarray(0, 8))).toBe(true);
    expect(remoteSealed.includes(Buffer.from('Quixote'))).toBe(false);

    // Remote seal → local unseal.
    copyFileSync(path.join(client, 'notes.txt.pge'), path.join(localRoot, 'from-server.txt.pge'));
    expect((await localRun('steward', 'keys', 'unseal', 'from-server.txt.pge')).out).toBe('unsealed from-server.txt\n');
    expect(readFileSync(path.join(localRoot, 'from-server.txt'), 'utf8')).toBe(`note: ${PHI}\n`.repeat(5000));
    // Local seal → remote unseal.
    copyFileSync(path.join(localRoot, 'notes.txt.pge'), path.join(client, 'from-local.txt.pge'));
    const unsealed = await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'unseal', 'from-local.txt.pge', '-o', 'back.txt');
    expect(unsealed.out).toBe('unsealed back.txt\n');
    expect(readFileSync(path.join(client, 'back.txt'), 'utf8')).toBe(`note: ${PHI}\n`.repeat(5000));

    // key.use needs a purpose of use, and a role that may use data keys (custodians may not: separation of duties).
    expect((await remoteRun('steward', 'keys', 'seal', 'notes.txt', '--key', 'ds-key', '-o', 'x.pge')).error).toMatch(/forbidden \(403\): not allowed: key.use/);
    expect((await remoteRun('steward', 'keys', 'unseal', 'from-local.txt.pge', '-o', 'y.txt')).error).toMatch(/forbidden \(403\): not allowed: key.use/);
    writeFileSync(path.join(clientDir('kc1'), 'n.txt'), 'x');
    expect((await remoteRun('kc1', '--purpose', 'HRESCH', 'keys', 'seal', 'n.txt', '--key', 'ds-key')).error).toMatch(/forbidden \(403\): not allowed: key.use/);
    copyFileSync(path.join(client, 'notes.txt.pge'), path.join(clientDir('annotator'), 'n.txt.pge'));
    expect((await remoteRun('annotator', '--purpose', 'HRESCH', 'keys', 'unseal', 'n.txt.pge')).error).toMatch(/forbidden \(403\): not allowed: key.use/);
    expect((await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'seal', 'notes.txt', '--key', 'ds-key', '--as', ids.steward ?? '')).error).toContain('[local-only]');

    // A wrapped key that does not authenticate is the caller's error, not the server's.
    const bad = await raw('steward', 'POST', '/v1/keys/ds-key/decrypt-data-key', { provider: 'local', version: 1, wrapped: randomBytes(60).toString('base64') }, 'HRESCH');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'invalid-argument', field: 'wrapped' });

    // The server's ledger: who got a data key, for which key and version, with which purpose.
    const found = (await remoteRun('auditor', 'audit', 'search', '--action', 'key.generate-data-key', '--actor', ids.steward ?? '')).out.trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; purpose?: string; resources: unknown[]; details?: Record<string, unknown> });
    expect(found).toEqual([expect.objectContaining({ outcome: 'success', purpose: 'HRESCH', resources: [{ type: 'key', id: 'ds-key' }], details: { version: 1 } })]);
    expect((await remoteRun('auditor', 'audit', 'search', '--action', 'key.decrypt-data-key', '--actor', ids.steward ?? '')).out.trim().split('\n')).toHaveLength(2);
  }, 120_000);

  it('a crypto-shredded key is refused by the server with key-destroyed, for unseal and seal', async () => {
    const client = clientDir('steward');
    writeFileSync(path.join(client, 'old.txt'), `old: ${PHI}\n`);
    expect((await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'seal', 'old.txt', '--key', 'old-key')).error).toBeUndefined();
    const asked = await remoteRun('kc1', 'keys', 'request-destroy', 'old-key');
    const requestId = /request (kreq_\S+):/.exec(asked.out)?.[1] ?? '';
    await remoteRun('kc2', 'keys', 'approve', requestId);
    await remoteRun('kc3', 'keys', 'approve', requestId);
    expect((await remoteRun('kc1', 'keys', 'destroy', requestId)).out).toBe('destroyed: old-key is destroyed; versions erased: 1\n');
    expect((await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'unseal', 'old.txt.pge', '-o', 'old-back.txt')).error).toMatch(/key-destroyed \(409\)/);
    expect((await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'seal', 'old.txt', '--key', 'old-key', '-o', 'again.pge')).error).toMatch(/key-destroyed \(409\)/);
    const refused = (await remoteRun('auditor', 'audit', 'search', '--action', 'key.decrypt-data-key', '--actor', ids.steward ?? '')).out.trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; reason?: string });
    expect(refused.at(-1)).toMatchObject({ outcome: 'failure', reason: 'key-destroyed' });
  }, 120_000);

  it('recover: the passphrase is lost; two custodians each submit their share to the running server, which then serves keys and datasets', async () => {
    await server.close();
    const port = Number(new URL(url).port);
    // A secret that does not open the keystore fails the start, unless the operator asks for recovery.
    await expect(startServer({ PHIGUARD_KEYS_PASSPHRASE: NEW_PASSPHRASE }, port)).rejects.toMatchObject({ code: 'keystore-locked' });
    await startServer({ PHIGUARD_KEYS_PASSPHRASE: NEW_PASSPHRASE, PHIGUARD_KEYS_RECOVER: '1' }, port);
    expect((await remoteRun('kc1', 'keys', 'list')).error).toMatch(/not-configured \(503\)/);
    expect((await remoteRun('steward', 'keys', 'recover', '--share', shares.kc1 ?? '')).error).toMatch(/forbidden \(403\): not allowed: key.manage/);
    expect((await remoteRun('kc1', 'keys', 'recover', '--share', shares.kc1 ?? '', '--share', shares.kc2 ?? '')).error).toContain('pass exactly one --share');

    expect((await remoteRun('kc1', 'keys', 'recover', '--share', shares.kc1 ?? '')).out).toMatch(/^share accepted: 1\/2; the next custodian runs/);
    // Self-approval: one person cannot supply a second share, even someone else's.
    expect((await remoteRun('kc1', 'keys', 'recover', '--share', shares.kc2 ?? '')).error).toMatch(/self-approval \(403\)/);
    const status = await raw('kc3', 'GET', '/v1/keystore');
    expect(JSON.parse(status.text)).toMatchObject({ state: 'locked', recovery: { threshold: 2, received: 1 } });
    expect((await remoteRun('kc2', 'keys', 'recover', '--share', shares.kc2 ?? '')).out).toBe('keystore recovered; it now opens with the server\'s new passphrase or key file\n');
    expect((await remoteRun('kc3', 'keys', 'recover', '--share', shares.kc3 ?? '')).error).toMatch(/keystore-exists \(409\)/);

    // Served at once, no restart: keys, datasets, and data sealed before the recovery.
    expect((await remoteRun('kc1', 'keys', 'list')).out).toMatch(/ds-key\s+enabled/);
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'list')).out).toMatch(/chest-ct/);
    expect((await remoteRun('steward', '--purpose', 'HRESCH', 'keys', 'unseal', 'notes.txt.pge', '-o', 'after.txt')).out).toBe('unsealed after.txt\n');
    const file = path.join(serverRoot, '.phiguard', 'keys', 'keystore.json');
    const audit = { record: () => Promise.resolve({ index: 0 }) } as never;
    (await openKeyManager({ file, unlock: { kind: 'passphrase', passphrase: NEW_PASSPHRASE }, audit, clock: systemClock })).close();
    await expect(openKeyManager({ file, unlock: { kind: 'passphrase', passphrase: PASSPHRASE }, audit, clock: systemClock })).rejects.toMatchObject({ code: 'keystore-locked' });
    const recovered = (await remoteRun('auditor', 'audit', 'search', '--action', 'key.recover')).out.trim().split('\n').map((l) => JSON.parse(l) as { actor: { id: string }; details: Record<string, unknown> });
    expect(recovered).toEqual([expect.objectContaining({ actor: { kind: 'user', id: ids.kc2 }, details: { shares: 2, remote: true, custodian1: ids.kc1 } })]);
  }, 120_000);

  it('no plaintext, data key, share or passphrase in server logs, error answers or ledger leaves', async () => {
    const issued = await raw('steward', 'POST', '/v1/keys/ds-key/generate-data-key', undefined, 'HRESCH');
    expect(issued.status).toBe(200);
    const dek = Buffer.from((JSON.parse(issued.text) as { plaintext: string }).plaintext, 'base64');
    expect(dek).toHaveLength(32);
    // A refused share and a refused init: their problem answers name codes, never the values.
    const refusedShare = await raw('kc3', 'POST', '/v1/keystore/recover', { share: shares.kc3 });
    expect(refusedShare.status).toBe(409);
    const leaves = await allLeaves();
    expect(leaves).toContain('key.generate-data-key');
    const seeded = [PHI, 'Quixote', PASSPHRASE, NEW_PASSPHRASE, dek.toString('base64'), dek.toString('hex'), ...Object.values(shares).map((s) => s.slice(6, 46))];
    for (const channel of [logs, printed, refusedShare.text, leaves]) for (const value of seeded) expect(channel).not.toContain(value);
    expect(logs).toContain('"route":"/v1/keystore/recover"');
    const doc = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    for (const p of ['/v1/keys/{keyId}/generate-data-key', '/v1/keys/{keyId}/decrypt-data-key', '/v1/keystore', '/v1/keystore/init', '/v1/keystore/recover']) expect(paths).toContain(p);
  }, 60_000);
});
