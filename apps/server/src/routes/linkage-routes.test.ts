import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ApiKeys, argon2idHasher, Authenticator, Authorizer, openPgliteAccessStore, PolicyEngine, TokenIssuer, type AccessStore, type Role } from '@phiguard/access';
import type { SqlDriver } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import { createMemoryKeyProvider } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { LinkageVault, openVaultDatabase, SqlLinkageStore } from '@phiguard/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../build-server.ts';
import type { AccessServices } from '../http/access-services.ts';
import { call, loginAs, PASSWORD, type Harness } from '../test-harness.ts';
import { ensureLocalTls } from '../tls/local-ca.ts';
import { readTlsOptions } from '../tls/tls-options.ts';
import type { LinkageOpener } from './linkage-routes.ts';

// The re-identification routes over HTTPS: problem+json codes, what a reviewer sees, no-store on
// a reveal, and seeded identifiers that reach neither an error body nor a log line.
const SEEDED = ['QUIXOTE^ALONSO', 'MRN-55501234', '1947-03-09'];
const USERS: Record<string, Role[]> = { alice: ['ml-engineer'], bob: ['data-steward'], ann: ['annotator'] };
let home: string;
let h: Harness;
let h0: Harness;
let driver: SqlDriver;
let store: AccessStore;
let vault: LinkageVault;
let tokens: string[];
const tok: Record<string, string> = {};
const secrets = new Map<string, string>();
let logs = '';
let clock: ManualClock;
/** Open requests lapse after a minute here (the default is 7 days). */
const OPEN_TTL_MS = 60_000;
const REVEAL_WINDOW_MS = 120_000;

async function start(clock: ManualClock, audit: MemoryAuditRecorder, access: AccessServices, linkage: LinkageOpener | undefined): Promise<Harness> {
  const tls = ensureLocalTls(home);
  const logStream = new Writable({ write(chunk: Buffer, _e, done) { logs += chunk.toString(); done(); } });
  const app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), access, https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }), logStream, ...(linkage === undefined ? {} : { linkage }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0, ca: readFileSync(tls.caCert), clock, audit, access, logs: () => logs, close: () => app.close() };
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'linkage-routes-'));
  clock = new ManualClock(Date.now());
  const audit = new MemoryAuditRecorder();
  store = await openPgliteAccessStore(undefined);
  const authenticator = new Authenticator({ store, clock, audit, hasher: argon2idHasher({ memoryCost: 1024, timeCost: 1 }) });
  const access: AccessServices = { store, authenticator, clock, apiKeys: new ApiKeys(store, clock, audit), tokens: await TokenIssuer.create(clock), authorizer: new Authorizer(new PolicyEngine(), store, clock, audit) };
  for (const [username, roles] of Object.entries(USERS)) await authenticator.createUser({ username, password: PASSWORD, roles }, undefined);
  driver = await openVaultDatabase({ kind: 'pglite' });
  const { provider } = createMemoryKeyProvider(['linkage-key'], clock.nowMs());
  vault = await LinkageVault.open({ store: new SqlLinkageStore(driver), provider, keyId: 'linkage-key', audit, clock, openTtlMs: OPEN_TTL_MS, requestTtlMs: REVEAL_WINDOW_MS });
  tokens = SEEDED.map((v) => vault.tokenize('id', v));
  await vault.flush();
  h = await start(clock, audit, access, () => Promise.resolve(vault));
  h0 = await start(clock, audit, access, undefined);
  for (const user of Object.keys(USERS)) tok[user] = (await loginAs(h, user, secrets)).token;
}, 60_000);

afterAll(async () => {
  await h.close();
  await h0.close();
  await driver.close();
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

const post = (user: string, url: string, body: unknown, purpose?: string): ReturnType<typeof call> =>
  call(h, 'POST', url, { token: tok[user] ?? '', body, headers: purpose === undefined ? {} : { 'x-purpose-of-use': purpose } });

describe('/v1/linkage/requests', () => {
  it('answers problem+json with stable codes, never quoting a submitted value', async () => {
    const bad = await post('alice', '/v1/linkage/requests', { tokens: [SEEDED[0]], reason: 'r' }, 'HRESCH');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'invalid-request', field: 'tokens.0', requestId: expect.any(String) as string });
    const noPurpose = await post('alice', '/v1/linkage/requests', { tokens, reason: `about ${SEEDED[1] ?? ''}` });
    expect(noPurpose.json()).toMatchObject({ status: 400, code: 'purpose-required', field: 'x-purpose-of-use' });
    expect((await post('ann', '/v1/linkage/requests', { tokens, reason: 'r' }, 'HRESCH')).json()).toMatchObject({ status: 403, code: 'forbidden' });
    const unknown = await call(h, 'GET', '/v1/linkage/requests/reid_01j00000000000000000000000', { token: tok.bob ?? '' });
    expect(unknown.json()).toMatchObject({ status: 404, code: 'not-found' });
    const off = await call(h0, 'GET', '/v1/linkage/requests?scope=review', { token: tok.bob ?? '' });
    expect(off.json()).toMatchObject({ status: 503, code: 'not-configured' });
    for (const text of [bad.text, noPurpose.text, logs]) for (const v of SEEDED) expect(text).not.toContain(v);
  });

  it('are in the OpenAPI document', async () => {
    const doc = (await call(h, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { summary?: string }>> };
    for (const p of ['/v1/linkage/requests', '/v1/linkage/requests/{id}', '/v1/linkage/requests/{id}/approve', '/v1/linkage/requests/{id}/deny', '/v1/linkage/requests/{id}/withdraw', '/v1/linkage/requests/{id}/reveal']) expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.paths['/v1/linkage/requests/{id}/reveal']?.post?.summary).toContain('no-store');
  });

  it('a reviewer sees purpose, reason, counts and tokens; the reveal carries no-store and the values', async () => {
    const created = await post('alice', '/v1/linkage/requests', { tokens, reason: 'call back trial candidates' }, 'CLINTRCH');
    expect(created.status).toBe(201);
    const id = (created.json() as { id: string }).id;
    const listed = (await call(h, 'GET', '/v1/linkage/requests?scope=review', { token: tok.bob ?? '' })).json() as Record<string, unknown>[];
    expect(listed.find((r) => r.id === id)).toMatchObject({ purpose: 'CLINTRCH', reason: 'call back trial candidates', tokenCount: 3, status: 'open', expiresMs: null });
    expect(listed.find((r) => r.id === id)).not.toHaveProperty('tokens');
    expect((await call(h, 'GET', `/v1/linkage/requests/${id}`, { token: tok.bob ?? '' })).json()).toMatchObject({ tokens });
    expect((await post('alice', `/v1/linkage/requests/${id}/approve`, {})).json()).toMatchObject({ status: 403, code: 'self-approval' });
    expect((await post('bob', `/v1/linkage/requests/${id}/approve`, {})).json()).toMatchObject({ status: 'approved', expiresMs: expect.any(Number) as number });
    const revealed = await post('alice', `/v1/linkage/requests/${id}/reveal`, {}, 'CLINTRCH');
    expect(revealed.status).toBe(200);
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(revealed.json()).toEqual({ requestId: id, purpose: 'CLINTRCH', values: tokens.map((token, i) => ({ token, kind: 'id', value: SEEDED[i] })) });
    const again = await post('alice', `/v1/linkage/requests/${id}/reveal`, {}, 'CLINTRCH');
    expect(again.json()).toMatchObject({ status: 403, code: 'approval-denied' });
    for (const v of SEEDED) expect(logs + again.text).not.toContain(v);
  });

  it('withdraw: the requester only, open or approved; afterwards approve and reveal are refused (409 request-closed)', async () => {
    const ask = async (purpose: string): Promise<string> => ((await post('alice', '/v1/linkage/requests', { tokens, reason: 'r' }, purpose)).json() as { id: string }).id;
    const open = await ask('HRESCH');
    expect((await post('bob', `/v1/linkage/requests/${open}/withdraw`, {})).json()).toMatchObject({ status: 403 });
    expect((await post('ann', `/v1/linkage/requests/${open}/withdraw`, {})).json()).toMatchObject({ status: 403, code: 'forbidden' });
    const withdrawn = await post('alice', `/v1/linkage/requests/${open}/withdraw`, {});
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json()).toMatchObject({ id: open, status: 'withdrawn', withdrawnMs: clock.nowMs() });
    expect((await post('bob', `/v1/linkage/requests/${open}/approve`, {})).json()).toMatchObject({ status: 409, code: 'request-closed' });
    expect((await post('alice', `/v1/linkage/requests/${open}/withdraw`, {})).json()).toMatchObject({ status: 409, code: 'request-closed' });

    const approved = await ask('CLINTRCH');
    await post('bob', `/v1/linkage/requests/${approved}/approve`, {});
    expect((await post('alice', `/v1/linkage/requests/${approved}/withdraw`, {})).json()).toMatchObject({ status: 'withdrawn', decidedBy: expect.any(String) as string });
    // Cedar sees no approval on a withdrawn request: the reveal is refused before the vault is asked.
    expect((await post('alice', `/v1/linkage/requests/${approved}/reveal`, {}, 'CLINTRCH')).json()).toMatchObject({ status: 403, code: 'approval-required' });
    const mine = (await call(h, 'GET', '/v1/linkage/requests?status=withdrawn', { token: tok.alice ?? '', headers: { 'x-purpose-of-use': 'HRESCH' } })).json() as { id: string }[];
    // (Same clock reading for both: their order is by id.)
    expect(mine.map((r) => r.id).sort()).toEqual([approved, open].sort());
    const steps = h.audit.events.filter((e) => e.resources?.[0]?.id === open && e.action.startsWith('linkage.')).map((e) => `${e.action}:${e.outcome}${e.reason === undefined ? '' : `:${e.reason}`}`);
    expect(steps).toEqual(['linkage.reveal.request:success', 'linkage.reveal.withdraw:denied:not-requester', 'linkage.reveal.withdraw:success', 'linkage.reveal.approve:denied:withdrawn', 'linkage.reveal.withdraw:denied:not-withdrawable']);
  });

  it('an open request lapses: listed and shown as expired, not in the review queue, approval refused (409 request-expired)', async () => {
    const id = ((await post('alice', '/v1/linkage/requests', { tokens, reason: 'r' }, 'HRESCH')).json() as { id: string }).id;
    clock.advance(OPEN_TTL_MS + 1);
    const review = (await call(h, 'GET', '/v1/linkage/requests?scope=review', { token: tok.bob ?? '' })).json() as { id: string }[];
    expect(review.map((r) => r.id)).not.toContain(id);
    const lapsed = (await call(h, 'GET', '/v1/linkage/requests?scope=review&status=expired', { token: tok.bob ?? '' })).json() as { id: string; status: string }[];
    expect(lapsed.find((r) => r.id === id)).toMatchObject({ status: 'expired' });
    expect((await call(h, 'GET', `/v1/linkage/requests/${id}`, { token: tok.bob ?? '' })).json()).toMatchObject({ status: 'expired' });
    const refused = await post('bob', `/v1/linkage/requests/${id}/approve`, {});
    expect(refused.json()).toMatchObject({ status: 409, code: 'request-expired', field: 'status' });
    expect(h.audit.events.filter((e) => e.resources?.[0]?.id === id).at(-1)).toMatchObject({ action: 'linkage.reveal.approve', outcome: 'denied', reason: 'request-expired' });
  });

  it('an approval past its reveal window: listed and shown as approval-expired with its past expiresMs, reveal refused (403 approval-denied)', async () => {
    const id = ((await post('alice', '/v1/linkage/requests', { tokens, reason: 'r' }, 'HRESCH')).json() as { id: string }).id;
    const approvedMs = clock.nowMs();
    await post('bob', `/v1/linkage/requests/${id}/approve`, {});
    clock.advance(REVEAL_WINDOW_MS + 1);
    expect((await call(h, 'GET', `/v1/linkage/requests/${id}`, { token: tok.bob ?? '' })).json()).toMatchObject({ status: 'approval-expired', expiresMs: approvedMs + REVEAL_WINDOW_MS });
    const mine = (opts: string): Promise<{ id: string; status: string }[]> =>
      call(h, 'GET', `/v1/linkage/requests?${opts}`, { token: tok.alice ?? '', headers: { 'x-purpose-of-use': 'HRESCH' } }).then((r) => r.json() as { id: string; status: string }[]);
    expect((await mine('status=approval-expired')).find((r) => r.id === id)).toMatchObject({ status: 'approval-expired' });
    expect((await mine('status=approved')).map((r) => r.id)).not.toContain(id);
    const refused = await post('alice', `/v1/linkage/requests/${id}/reveal`, {}, 'HRESCH');
    expect(refused.json()).toMatchObject({ status: 403, code: 'approval-denied' });
    expect(h.audit.events.filter((e) => e.resources?.[0]?.id === id).at(-1)).toMatchObject({ action: 'linkage.reveal', outcome: 'denied', reason: 'approval-denied' });
    for (const v of SEEDED) expect(refused.text).not.toContain(v);
  });
});
