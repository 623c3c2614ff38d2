// Test helpers: a real HTTPS server on a loopback port with the embedded CA, real PGlite store.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type FailureLimit, ApiKeys, argon2idHasher, Authenticator, Authorizer, cachingAccessStore, openPgliteAccessStore, PolicyEngine, TokenIssuer, totpCode, WebAuthnFactor } from '@phiguard/access';
import { ManualClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './build-server.ts';
import type { AccessServices, DatasetCatalog } from './http/access-services.ts';
import { ensureLocalTls } from './tls/local-ca.ts';
import { readTlsOptions } from './tls/tls-options.ts';

export const PASSWORD = 'violet-anchor-drizzle';
/** The passkey relying party of the harness (the software authenticator signs for this origin). */
export const HARNESS_RP = { id: 'localhost', name: 'PHIGuard', origin: 'https://localhost:8443' } as const;

export interface Harness {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly ca: Buffer;
  readonly clock: ManualClock;
  readonly audit: MemoryAuditRecorder;
  readonly access: AccessServices;
  readonly logs: () => string;
  readonly close: () => Promise<void>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: () => unknown;
}

export const DATASETS: Record<string, { id: string; version: number; sealedBy: string[]; records: number }> = {
  ds_01j0000000000000000000000a: { id: 'ds_01j0000000000000000000000a', version: 3, sealedBy: ['key_01j0000000000000000000000a'], records: 1200 },
  ds_01j0000000000000000000000b: { id: 'ds_01j0000000000000000000000b', version: 1, sealedBy: ['key_01j0000000000000000000000b'], records: 40 },
};

export const memoryCatalog: DatasetCatalog = { get: (id) => Promise.resolve(DATASETS[id]) };

export async function startHarness(options: { readonly authFailureLimit?: FailureLimit } = {}): Promise<Harness> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'phiguard-server-'));
  const tls = ensureLocalTls(home);
  const clock = new ManualClock(Date.now());
  const audit = new MemoryAuditRecorder();
  const store = cachingAccessStore(await openPgliteAccessStore(undefined), clock);
  const webauthn = new WebAuthnFactor(store, clock, audit, HARNESS_RP);
  const authenticator = new Authenticator({ store, clock, audit, hasher: argon2idHasher({ memoryCost: 1024, timeCost: 1 }), webauthn });
  const access: AccessServices = {
    store, authenticator, clock, webauthn, apiKeys: new ApiKeys(store, clock, audit), tokens: await TokenIssuer.create(clock),
    authorizer: new Authorizer(new PolicyEngine(), store, clock, audit),
  };
  let logs = '';
  const logStream = new Writable({ write(chunk: Buffer, _enc, done) { logs += chunk.toString(); done(); } });
  const app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), access, datasets: memoryCatalog, https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }), logStream, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    app, port, ca: readFileSync(tls.caCert), clock, audit, access, logs: () => logs,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** One HTTPS request trusting only the embedded CA. */
export function call(h: Harness, method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = https.request({
      host: '127.0.0.1', port: h.port, method, path: url, ca: h.ca, servername: 'localhost',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }), ...options.headers },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Password, TOTP (enrolling at first login), session token, access token. Moves the clock one TOTP step. */
export async function loginAs(h: Harness, username: string, secrets: Map<string, string>): Promise<{ session: string; token: string }> {
  const login = (await call(h, 'POST', '/v1/auth/login', { body: { username, password: PASSWORD } })).json() as { challengeId: string; enrolment?: { secret: string } };
  if (login.enrolment !== undefined) secrets.set(username, login.enrolment.secret);
  const secret = secrets.get(username) ?? '';
  const mfa = await call(h, 'POST', '/v1/auth/mfa', { body: { challengeId: login.challengeId, totp: totpCode(secret, h.clock.nowMs()) } });
  h.clock.advance(30_000);
  const session = (mfa.json() as { sessionToken: string }).sessionToken;
  const token = (await call(h, 'POST', '/v1/auth/token', { token: session })).json() as { accessToken: string };
  return { session, token: token.accessToken };
}
