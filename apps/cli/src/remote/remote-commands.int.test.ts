import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openPgliteAccessStore, type AccessStore, type Role } from '@phiguard/access';
import { sealStream, unsealStream } from '@phiguard/keys';
import { readDeidFrames, type DeidFrame } from '@phiguard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliTyped, type TypedCliResult } from '../testing/cli-harness.ts';
import { createUsers, loginWithTotp, psql, serveForTest, testDatabaseUrl, type TestServer } from '../testing/remote-harness.ts';

// Every remote command through the CLI entry point against a real HTTPS server (embedded CA,
// TLS 1.3) wired like `phiguard serve`: ledger and vault on PostgreSQL (own schemas), keystore by
// key file, users logged in with password + TOTP. Outputs are compared with the local commands.
const PASSWORD = 'violet-anchor-drizzle';
const PHI = 'Quixote-Smithers 1962-04-17 MRN 99887766';
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-remote-'));
const suffix = randomBytes(4).toString('hex');
const schemas = { server: `cli_remote_s_${suffix}`, local: `cli_remote_l_${suffix}` };
const dbUrl = testDatabaseUrl;
const serverRoot = path.join(root, 'server');
const localRoot = path.join(root, 'local');
const data = path.join(root, 'data');
const keyFile = path.join(root, 'master.key');

const ROLES: Record<string, Role[]> = { steward: ['data-steward'], kc1: ['key-custodian'], kc2: ['key-custodian'], kc3: ['key-custodian'], auditor: ['auditor'], annotator: ['annotator'] };
const ids: Record<string, string> = {};
let store: AccessStore;
let server: TestServer;
let url = '';
let ca = '';
let logs = '';

type Run = TypedCliResult;

/** One CLI invocation in `cwd` (its own `.phiguard` home), as main.ts would print a typed error. */
function run(cwd: string, env: Record<string, string>, args: readonly string[], stdin?: PassThrough): Promise<Run> {
  return runCliTyped({ cwd, env, ...(stdin === undefined ? {} : { stdin }) }, ...args);
}

const serverEnv = { PHIGUARD_DATABASE_URL: dbUrl(schemas.server) };
const localEnv = { PHIGUARD_DATABASE_URL: dbUrl(schemas.local) };
const clientDir = (user: string): string => path.join(root, `client-${user}`);
/** `phiguard --server URL …` as a logged-in user. */
const remoteRun = (user: string, ...args: string[]): Promise<Run> => run(clientDir(user), {}, ['--server', url, ...args]);
/** The same command locally, acting (unauthenticated, by flag) as the same user. */
const localRun = (user: string, ...args: string[]): Promise<Run> => run(localRoot, localEnv, [...args, '--as', ids[user] ?? '', '--key-file', keyFile]);

/** Ids, times, hashes and ledger indexes differ between two systems; the shape must not. */
function shape(text: string): string {
  return text
    .replace(/\b(ds|usr|kreq)_[0-9a-z]{26}\b/g, '$1_ID')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME')
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:HASH')
    .replace(/ledger entry \d+/g, 'ledger entry N')
    .replace(/ +\d+ +sha256:HASH$/gm, ' N sha256:HASH')
    .replace(/signed by \S+/g, 'signed by KEY');
}

async function login(user: string): Promise<void> {
  await loginWithTotp({ cwd: clientDir(user), url, ca, username: user, password: PASSWORD });
}

beforeAll(async () => {
  for (const dir of [serverRoot, localRoot, data]) mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  psql(`create schema ${schemas.server}; create schema ${schemas.local}`);
  store = await openPgliteAccessStore(undefined);
  // Users first (their ids are the keystore's custodians).
  Object.assign(ids, await createUsers(store, ROLES, PASSWORD));
  const custodians = ['kc1', 'kc2', 'kc3'].flatMap((u) => ['--custodian', ids[u] ?? '']);
  for (const [cwd, env] of [[serverRoot, serverEnv], [localRoot, localEnv]] as const) {
    const init = await run(cwd, env, ['keys', 'init', ...custodians, '--threshold', '2', '--as', ids.kc1 ?? '', '--key-file', keyFile]);
    expect(init.error).toBeUndefined();
  }
  server = await serveForTest({ cwd: serverRoot, env: { ...serverEnv, PHIGUARD_KEYS_KEY_FILE: keyFile }, store, log: (t) => (logs += t) });
  ({ url, ca } = server);
  for (const user of Object.keys(ROLES)) await login(user);
}, 240_000);

afterAll(async () => {
  await server.close();
  await store.close();
  psql(`drop schema if exists ${schemas.server} cascade; drop schema if exists ${schemas.local} cascade`);
  rmSync(root, { recursive: true, force: true });
  process.exitCode = 0;
});

describe('phiguard <command> --server URL', () => {
  it('keys: list, create, rotate and dual-control destroy give the local output; an annotator cannot rotate', async () => {
    for (const args of [['keys', 'create', 'dataset-key', '--rotate-every', '90'], ['keys', 'create', 'old-key'], ['keys', 'rotate', 'dataset-key'], ['keys', 'list']]) {
      const [r, l] = [await remoteRun('kc1', ...args), await localRun('kc1', ...args)];
      expect(r.error).toBeUndefined();
      expect(shape(r.out)).toBe(shape(l.out));
    }
    expect((await remoteRun('kc1', 'keys', 'list')).out).toMatch(/dataset-key\s+enabled\s+2/);

    const denied = await remoteRun('annotator', 'keys', 'rotate', 'dataset-key');
    expect(denied.error).toBe('the server refused: forbidden (403): not allowed: key.manage (field server) [refused]');
    expect((await remoteRun('kc1', 'keys', 'rotate', 'dataset-key', '--as', ids.annotator ?? '')).error).toContain('[local-only]');

    // rewrap: a file sealed with the server's keystore gets its data key re-wrapped under the new version by the server.
    const sealedDir = clientDir('kc1');
    // Sealed in the server process with its keystore (another process appending to the server's ledger is refused by design).
    const withKeys = server.services.keys;
    if (withKeys === undefined) throw new Error('the server has no keystore');
    await withKeys(async (m) => {
      await pipeline(sealStream([Buffer.from(`seeded: ${PHI}\n`)], { wrapWith: [{ provider: m.provider, keyId: 'dataset-key' }], context: {} }), createWriteStream(path.join(sealedDir, 'notes.txt.pge')));
    });
    const rotated = await remoteRun('kc1', 'keys', 'rotate', 'dataset-key');
    expect(rotated.error ?? rotated.out).toBe('rotated dataset-key to v3\n');
    expect((await remoteRun('kc1', 'keys', 'rewrap', 'notes.txt.pge')).out).toBe('notes.txt.pge: was dataset-key v2; header rewritten, frames unchanged\n');
    expect((await remoteRun('kc1', 'keys', 'rewrap', 'notes.txt.pge')).out).toBe('notes.txt.pge: was dataset-key v3; header rewritten, frames unchanged\n');
    await withKeys(async (m) => {
      await pipeline(unsealStream(createReadStream(path.join(sealedDir, 'notes.txt.pge')) as AsyncIterable<Buffer>, { providers: [m.provider] }), createWriteStream(path.join(sealedDir, 'back.txt')));
    });
    expect(readFileSync(path.join(sealedDir, 'back.txt'), 'utf8')).toBe(`seeded: ${PHI}\n`);
    expect(logs).not.toContain('Quixote');

    // Dual control by different logged-in people: kc1 asks, kc1 cannot approve, kc2 and kc3 do.
    const asked = await remoteRun('kc1', 'keys', 'request-destroy', 'old-key');
    const requestId = /request (kreq_\S+):/.exec(asked.out)?.[1] ?? '';
    expect(shape(asked.out)).toBe(shape((await localRun('kc1', 'keys', 'request-destroy', 'old-key')).out));
    expect((await remoteRun('kc1', 'keys', 'approve', requestId)).error).toMatch(/self-approval \(403\)/);
    expect((await remoteRun('kc2', 'keys', 'approve', requestId)).out).toBe(`approved ${requestId}: 1/2\n`);
    expect((await remoteRun('kc3', 'keys', 'approve', requestId)).out).toBe(`approved ${requestId}: 2/2\n`);
    expect((await remoteRun('kc1', 'keys', 'destroy', requestId)).out).toBe('destroyed: old-key is destroyed; versions erased: 1\n');
    // Custodians manage keys but get no data keys (key.use; remote-keystore.int.test.ts covers seal/unseal).
    writeFileSync(path.join(clientDir('kc1'), 'x'), 'not PHI\n');
    expect((await remoteRun('kc1', '--purpose', 'HRESCH', 'keys', 'seal', 'x', '--key', 'dataset-key')).error).toMatch(/forbidden \(403\): not allowed: key.use/);
  }, 120_000);

  it('datasets: create, add (streamed), list, show, versions, get, verify, hold, retention match the local commands', async () => {
    mkdirSync(path.join(data, 'scans', 'series1'), { recursive: true });
    const big = randomBytes(3 * 2 ** 20 + 17);
    writeFileSync(path.join(data, 'scans', 'series1', 'img1.dcm'), big);
    writeFileSync(path.join(data, 'scans', 'note.txt'), `seeded: ${PHI}\n`);
    const steward = async (...args: string[]): Promise<[Run, Run]> => [await remoteRun('steward', '--purpose', 'HOPERAT', ...args), await localRun('steward', ...args)];
    const same = async (...args: string[]): Promise<Run> => {
      const [r, l] = await steward(...args);
      expect(r.error).toBeUndefined();
      expect(l.error).toBeUndefined();
      expect(shape(r.out)).toBe(shape(l.out));
      return r;
    };
    // Keys for the local side (the server's were created in the test above).
    await localRun('kc1', 'keys', 'create', 'ds-key');
    await remoteRun('kc1', 'keys', 'create', 'ds-key');
    await same('datasets', 'create', 'chest-ct', '--key', 'ds-key', '--retain-days', '30');
    await same('datasets', 'add', 'chest-ct', path.join(data, 'scans'));
    writeFileSync(path.join(data, 'extra.csv'), 'a,b\n1,2\n');
    await same('datasets', 'add', 'chest-ct', path.join(data, 'extra.csv'));
    await same('datasets', 'list');
    expect((await same('datasets', 'show', 'chest-ct')).out).toContain('series1/img1.dcm');
    await same('datasets', 'show', 'chest-ct', '--number', '1');
    await same('datasets', 'versions', 'chest-ct');
    await same('datasets', 'verify', 'chest-ct', '--deep');

    const got = await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'get', 'chest-ct', '--out', 'restored');
    expect(got.out).toBe('wrote 3 files of version 2 to restored\n');
    expect(readFileSync(path.join(clientDir('steward'), 'restored', 'series1', 'img1.dcm')).equals(big)).toBe(true);
    expect(readFileSync(path.join(clientDir('steward'), 'restored', 'extra.csv'), 'utf8')).toBe('a,b\n1,2\n');

    await same('datasets', 'hold', 'chest-ct');
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'list')).out).toMatch(/chest-ct.*ON/);
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'retention', 'chest-ct', '--days', '1')).error).toMatch(/retention-shortened \(409\)/);
    await same('datasets', 'retention', 'chest-ct', '--until', '2040-01-01');
    await same('datasets', 'release-hold', 'chest-ct');

    // Purpose of use is required for data; an annotator without a grant is refused.
    expect((await remoteRun('steward', 'datasets', 'list')).error).toMatch(/forbidden \(403\)/);
    expect((await remoteRun('annotator', '--purpose', 'HOPERAT', 'datasets', 'get', 'chest-ct', '--out', 'x')).error).toMatch(/forbidden \(403\): not allowed: dataset.read/);
    // The uploaded PHI reached neither the server's logs nor any answer.
    expect(logs).not.toContain('Quixote');
    expect(logs).toContain('"route":"/v1/datasets/:id/versions"');
  }, 180_000);

  it('deid hl7v2, text and dicom: the server de-identifies with its key; the report and layout match the local command; no PHI in logs or outputs', async () => {
    const inbox = path.join(data, 'inbox');
    mkdirSync(path.join(inbox, 'notes'), { recursive: true });
    writeFileSync(path.join(inbox, 'adt.hl7'), 'MSH|^~\\&|APP|FAC|REC|RFAC|20240101120000||ADT^A01|MSG0001|P|2.5\rPID|1||99887766^^^HOSP^MR||QUIXOTE-SMITHERS^JONATHAN||19620417|M|||12 Elm St^^Springfield^IL^62701||555-123-4567\r');
    writeFileSync(path.join(inbox, 'notes', 'visit.txt'), 'Patient Jonathan Quixote-Smithers (MRN 99887766) was seen on 2024-03-05 by Dr. Alvarez.\n');
    for (const [format, input] of [['hl7v2', path.join(inbox, 'adt.hl7')], ['text', path.join(inbox, 'notes')]] as const) {
      const r = await remoteRun('steward', '--purpose', 'HOPERAT', 'deid', format, input, '--names', 'keep', '--out', `deid-${format}`);
      const l = await run(localRoot, localEnv, ['deid', format, input, '--names', 'keep', '--out', `deid-${format}`]);
      expect(r.error).toBeUndefined();
      const norm = (text: string, dir: string): string => shape(text.split(dir).join('DIR')).replace(/[0-9a-f]{16,}/g, 'HEX');
      expect(norm(r.out, clientDir('steward'))).toBe(norm(l.out, localRoot));
    }
    // DICOM, one file per request: CT_small names a patient; the output must not.
    const corpus = path.resolve(import.meta.dirname, '../../../../../shared/corpus');
    mkdirSync(path.join(inbox, 'dicom'), { recursive: true });
    const ct = readFileSync(path.join(corpus, 'dicom-pydicom-testfiles/CT_small.dcm'));
    writeFileSync(path.join(inbox, 'dicom', 'ct.dcm'), ct);
    const dicomRemote = await remoteRun('steward', '--purpose', 'HOPERAT', 'deid', 'dicom', path.join(inbox, 'dicom'), '--names', 'keep', '--out', 'deid-dicom');
    const dicomLocal = await run(localRoot, localEnv, ['deid', 'dicom', path.join(inbox, 'dicom'), '--names', 'keep', '--out', 'deid-dicom']);
    expect(dicomRemote.error).toBeUndefined();
    const norm = (text: string, dir: string): string => shape(text.split(dir).join('DIR')).replace(/[0-9a-f]{16,}/g, 'HEX');
    expect(norm(dicomRemote.out, clientDir('steward'))).toBe(norm(dicomLocal.out, localRoot));
    const deidCt = readFileSync(path.join(clientDir('steward'), 'deid-dicom', 'ct.dcm'));
    expect(deidCt.subarray(128, 132).toString('latin1')).toBe('DICM');
    expect(deidCt.includes(Buffer.from('CompressedSamples'))).toBe(false);

    const hl7 = readFileSync(path.join(clientDir('steward'), 'deid-hl7v2', 'adt.hl7'), 'utf8');
    expect(hl7).toMatch(/^MSH\|/);
    const note = readFileSync(path.join(clientDir('steward'), 'deid-text', 'visit.txt'), 'utf8');
    for (const out of [hl7, note]) expect(out).not.toMatch(/Quixote|QUIXOTE|99887766/);
    expect(readFileSync(path.join(clientDir('steward'), 'deid-text', 'deid-manifest.json'), 'utf8')).not.toContain('Quixote');
    // Options that only make sense locally are refused, and an annotator may not de-identify.
    expect((await remoteRun('steward', '--purpose', 'HOPERAT', 'deid', 'text', inbox, '--out', 'x', '--surrogates')).error).toContain('--surrogates is for local runs');
    expect((await remoteRun('annotator', '--purpose', 'HOPERAT', 'deid', 'text', inbox, '--out', 'y')).error).toMatch(/forbidden \(403\)/);
    // A body the engine cannot read: a problem with a code, never the body.
    const token = await accessToken('steward');
    const bad = await new Promise<Buffer>((resolve, reject) => {
      const req = https.request(`${url}/v1/deid/fhir?profile=safe-harbor&name=x.json`, { method: 'POST', ca: readFileSync(ca), headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'HOPERAT', 'content-type': 'application/octet-stream' } }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => { resolve(Buffer.concat(body)); });
      });
      req.on('error', reject);
      req.end(`{"resourceType":"Patient","name":[{"family":"${PHI}"`);
    });
    const frames: DeidFrame[] = [];
    for await (const f of readDeidFrames(Readable.from([bad]))) frames.push(f);
    expect(frames.map((f) => f.kind)).toEqual(['trailer']);
    expect(frames[0]).toMatchObject({ json: { ok: false } });
    expect(bad.toString('latin1')).not.toContain('Quixote');
    expect(logs).not.toMatch(/Quixote|QUIXOTE|99887766/);
  }, 180_000);

  it('a malformed upload is refused with a problem naming the field, never echoing the body', async () => {
    const token = await accessToken('steward');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(`${url}/v1/datasets/chest-ct/versions`, { method: 'POST', ca: readFileSync(ca), headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'HOPERAT', 'content-type': 'application/vnd.phiguard.files' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
      });
      req.on('error', reject);
      req.end(`{"files":[{"name":"../${PHI}","size":3}]}\nabc`);
    });
    // GET /v1/datasets/:id (the catalog) is served from the same vault.
    const listed = await remoteRun('steward', '--purpose', 'HOPERAT', 'datasets', 'list');
    const datasetId = /chest-ct\s+(ds_\S+)/.exec(listed.out)?.[1] ?? '';
    const meta = await new Promise<unknown>((resolve, reject) => {
      https.get(`${url}/v1/datasets/${datasetId}`, { ca: readFileSync(ca), headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'HOPERAT' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => { resolve(JSON.parse(body)); });
      }).on('error', reject);
    });
    expect(meta).toEqual({ id: datasetId, version: 2, sealedBy: ['ds-key'], records: 3 });
    expect((await remoteRun('steward', 'whoami')).out).toMatch(new RegExp(`^${ids.steward ?? ''} \\(user\\) on ${url.replace(/[.]/g, '\\.')}\nroles: data-steward\n$`));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid-name' });
    expect(answer.body).not.toContain('Quixote');
    expect(logs).not.toContain('Quixote');
  });

  it('audit: verify and export with the published key, proof, search and public-key; the denial above is in the ledger', async () => {
    const vkey = (await remoteRun('auditor', 'audit', 'public-key')).out.trim();
    expect(vkey).toMatch(/^\S+\+[0-9a-f]{8}\+\S+$/);
    const verified = await remoteRun('auditor', 'audit', 'verify', '--key', vkey);
    expect(verified.out).toMatch(new RegExp(`^OK ${url.replace(/[.]/g, '\\.')}: origin \\S+, size \\d+, root \\S+\\n$`));
    const exported = await remoteRun('auditor', 'audit', 'export', 'tiles', '--key', vkey);
    expect(exported.out).toMatch(/^exported size \d+ to tiles: \d+ files written, 0 already there\n$/);
    // The export is checked offline, by the local command, with the same key.
    expect((await run(clientDir('auditor'), {}, ['audit', 'verify', 'tiles', '--key', vkey])).out).toMatch(/^OK .*tiles: origin/);

    const proved = await remoteRun('auditor', 'audit', 'proof', '2', '--key', vkey);
    expect(proved.error).toBeUndefined();
    const proof = JSON.parse(proved.out) as { index: number; proof: string[] };
    expect(proof.index).toBe(2);
    const denials = (await remoteRun('auditor', 'audit', 'search', '--action', 'authz.decide', '--actor', ids.annotator ?? '', '--limit', '50')).out.trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; details: Record<string, unknown> });
    expect(denials.some((e) => e.outcome === 'denied' && e.details.action === 'key.manage')).toBe(true);
    // An auditor reads the ledger but cannot touch keys; a steward cannot read the ledger.
    expect((await remoteRun('steward', 'audit', 'verify', '--key', vkey)).error).toMatch(/forbidden \(403\): not allowed: audit.verify/);
    expect((await remoteRun('auditor', 'audit', 'rotate-signer')).error).toContain('runs locally only');
  }, 120_000);

  it('policy validate and test: posted files checked on the server, cases run against its live policies', async () => {
    const cases = path.join(data, 'cases.json');
    writeFileSync(cases, JSON.stringify({ cases: [
      { name: 'annotators cannot read without a grant', principal: { roles: ['annotator'] }, action: 'dataset.read', resource: { type: 'Dataset', id: 'ds_1' }, context: { purpose: 'HRESCH' }, expect: 'deny' },
      { name: 'custodians manage keys', principal: { roles: ['key-custodian'] }, action: 'key.manage', resource: { type: 'Key', id: 'k' }, expect: 'allow' },
      { name: 'a wrong expectation fails', principal: { roles: ['auditor'] }, action: 'key.manage', resource: { type: 'Key', id: 'k' }, expect: 'allow' },
    ] }));
    const policies = path.resolve(import.meta.dirname, '../../../../packages/access/policies');
    for (const args of [['policy', 'validate', policies], ['policy', 'test', cases]]) {
      const r = await remoteRun('auditor', ...args);
      const l = await run(localRoot, localEnv, args);
      expect(r.error).toBeUndefined();
      expect(r.out).toBe(l.out);
    }
    expect((await remoteRun('auditor', 'policy', 'test', cases)).out).toContain('2/3 cases pass');
    const broken = path.join(data, 'broken.cedar');
    writeFileSync(broken, '@id("broken")\npermit (principal, action == PHIGuard::Action::"no.such", resource);');
    const invalid = await remoteRun('auditor', 'policy', 'validate', broken);
    expect(invalid.err).toMatch(/^invalid: /);
    expect((await remoteRun('annotator', 'policy', 'validate', policies)).error).toMatch(/forbidden \(403\)/);
    process.exitCode = 0;
  }, 60_000);

  it('publishes the remote routes in the OpenAPI document', async () => {
    const doc = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    for (const p of ['/v1/datasets/{id}/versions', '/v1/audit/tiles/{level}/{index}', '/v1/keys/requests/{requestId}/approve', '/v1/deid/{format}', '/v1/policy/test']) expect(paths).toContain(p);
  });

  it('refuses a command without a login session for that server', async () => {
    mkdirSync(clientDir('nobody'), { recursive: true });
    expect((await remoteRun('nobody', 'keys', 'list')).error).toContain('no login session for this server');
    // Local by nature: its report quotes gold PHI.
    expect((await remoteRun('nobody', 'eval', 'text', '--gold', data)).error).toContain('runs locally only');
  });
});

/** A fresh access token from a user's stored CLI session (for raw requests). */
async function accessToken(user: string): Promise<string> {
  const session = JSON.parse(readFileSync(path.join(clientDir(user), '.phiguard', 'cli-session.json'), 'utf8')) as { sessionToken: string };
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/v1/auth/token`, { method: 'POST', ca: readFileSync(ca), headers: { authorization: `Bearer ${session.sessionToken}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => { resolve((JSON.parse(body) as { accessToken: string }).accessToken); });
    });
    req.on('error', reject);
    req.end();
  });
}
