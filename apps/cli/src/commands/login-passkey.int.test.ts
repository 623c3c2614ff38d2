// `phiguard login --passkey` end to end with REAL Chromium (Debian `chromium`, driven by
// playwright-core) and its CDP virtual authenticator (ctap2, internal, resident key, user
// verification): register a passkey through /login/passkeys, log the CLI in through /login, and
// check every refusal the flow promises. Chromium trusts exactly the server's certificate, pinned
// by its SPKI hash (--ignore-certificate-errors-spki-list), not every certificate.
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { openPgliteAccessStore, totpCode } from '@phiguard/access';
import { loadConfig, ManualClock } from '@phiguard/core';
import { buildServer, ensureLocalTls, readTlsOptions } from '@phiguard/server';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';
import { apiCall, remoteTarget } from '../remote/api-client.ts';
import { buildAccessServices } from '../remote/serve-access.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'violet-anchor-drizzle';
let home: string;
let app: FastifyInstance;
let server: string;
let closeStore: () => Promise<void>;
let browser: Browser;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let totpSecret: string;
/** Console messages of the pages about their Content Security Policy: there must be none. */
const cspReports: string[] = [];
const clock = new ManualClock(Date.now());

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => { resolve(port); });
    });
  });
}

/** base64(SHA-256(SubjectPublicKeyInfo)) of the server certificate: what Chromium's pin list takes. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'phiguard-passkey-'));
  const tls = ensureLocalTls(home);
  // WebAuthn's origin includes the port, and the relying party is fixed before listening.
  const port = await freePort();
  server = `https://localhost:${String(port)}`;
  const store = await openPgliteAccessStore(undefined);
  closeStore = () => store.close();
  const access = await buildAccessServices(store, clock, new MemoryAuditRecorder(), { relyingParty: { id: 'localhost', name: 'PHIGuard', origin: server } });
  await access.authenticator.createUser({ username: 'pat', password: PASSWORD, roles: ['auditor', 'annotator'] }, undefined);
  // First login enrols TOTP (the registration page asks for a one-time code).
  const first = await access.authenticator.login('pat', PASSWORD);
  totpSecret = first.enrolment?.secret ?? '';
  await access.authenticator.completeMfa(first.challengeId, { totp: totpCode(totpSecret, clock.nowMs()) });
  clock.advance(30_000);
  app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), access, https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }) });
  await app.listen({ host: '127.0.0.1', port });

  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    // Chromium's sandbox cannot start as root; as any other user it stays on.
    chromiumSandbox: process.getuid?.() !== 0,
    args: [`--ignore-certificate-errors-spki-list=${spkiHash(tls.serverCert)}`, '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  page = await (await browser.newContext()).newPage();
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted Type/i.test(message.text())) cspReports.push(message.text());
  });
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  }));
});
afterAll(async () => {
  await browser.close();
  await app.close();
  await closeStore();
  rmSync(home, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = 0;
});

function cli(): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  const env = { PHIGUARD_HOME: home };
  return { ctx: { version: 'test', cwd: home, env, stdout, stderr, config: () => loadConfig({ cwd: home, env }) }, out: () => o, err: () => e };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error('condition not reached');
}

/** Starts `phiguard login --passkey --no-browser` and returns the address it printed. */
async function startLogin(serverUrl = server): Promise<{ done: Promise<unknown>; url: URL; out: () => string; err: () => string }> {
  const run = cli();
  const done = buildProgram(run.ctx).parseAsync(['node', 'phiguard', 'login', '--server', serverUrl, '--username', 'pat', '--passkey', '--no-browser']);
  await until(() => /https:\/\/\S+\/login\?\S+/.test(run.err()));
  const url = new URL(/(https:\/\/\S+\/login\?\S+)/.exec(run.err())?.[1] ?? '');
  return { done, url, out: run.out, err: run.err };
}

async function submitPassword(password: string): Promise<void> {
  await page.fill('#password', password);
  await page.click('#submit');
}

async function whoami(): Promise<{ out: string; err: string }> {
  const run = cli();
  await buildProgram(run.ctx).parseAsync(['node', 'phiguard', 'whoami']);
  return { out: run.out(), err: run.err() };
}

describe('phiguard login --passkey with Chromium', () => {
  it('registers a passkey through /login/passkeys with password + one-time code', async () => {
    await page.goto(`${server}/login/passkeys`);
    await page.fill('#username', 'pat');
    await page.fill('#password', PASSWORD);
    await page.fill('#code', totpCode(totpSecret, clock.nowMs()));
    await page.click('#submit');
    await expect.poll(() => page.textContent('#status')).toContain('Passkey registered');
    expect(await page.textContent('#error')).toBe('');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    expect(credentials[0]?.rpId).toBe('localhost');
  });

  it('logs the CLI in through the browser; whoami works; a replayed code is refused and ends that session', async () => {
    const login = await startLogin();
    expect(login.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(login.url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect([...login.url.searchParams.keys()].sort()).toEqual(['code_challenge', 'code_challenge_method', 'login_hint', 'redirect_uri', 'state']);
    await page.goto(login.url.href);
    expect(await page.inputValue('#username')).toBe('pat');
    await submitPassword(PASSWORD);
    await login.done;
    expect(login.out()).toMatch(/^logged in to https:\/\/localhost:\d+ with a passkey/);
    await expect.poll(() => page.textContent('body')).toContain('Logged in: you can close this tab');
    expect(login.err()).not.toContain(PASSWORD);

    const who = await whoami();
    expect(who.out).toMatch(/^usr_[0-9a-z]{26} \(user\) on https:\/\/localhost:\d+\nroles: auditor, annotator\n$/);

    // The code the browser handed over, sent again by someone else (RFC 6749 §4.1.2).
    const handed = new URL(page.url());
    const replay = await apiCall(remoteTarget(server, undefined, home), 'POST', '/v1/auth/loopback/token', {
      body: { code: handed.searchParams.get('code'), codeVerifier: 'x'.repeat(43), state: handed.searchParams.get('state'), redirectUri: `${handed.origin}${handed.pathname}` },
    });
    expect(replay.body).toMatchObject({ status: 401, code: 'token-invalid', title: expect.stringMatching(/already used/) as unknown });
    expect((await whoami()).err).toMatch(/session refused: session-expired/);
  });

  it('refuses a wrong password in the page, and Cancel ends the waiting CLI', async () => {
    const login = await startLogin();
    await page.goto(login.url.href);
    await submitPassword('not-the-password-at-all');
    await expect.poll(() => page.textContent('#error')).toBe('User name or password is wrong.');
    await page.click('#cancel');
    await login.done;
    expect(login.err()).toContain('login cancelled in the browser');
    expect(process.exitCode).toBe(1);
  });

  it('reports a cancelled passkey step in the page and succeeds on the next try (server given by IP address)', async () => {
    // The page is reached by IP; the server sends the browser to the relying party's origin.
    const login = await startLogin(server.replace('localhost', '127.0.0.1'));
    expect(login.url.host).toMatch(/^127\.0\.0\.1:/);
    await page.goto(login.url.href);
    expect(new URL(page.url()).origin).toBe(server);
    // The virtual authenticator refuses user verification: the browser answers NotAllowedError.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await submitPassword(PASSWORD);
    await expect.poll(() => page.textContent('#error')).toBe('The passkey step was cancelled or timed out. Enter your password to try again.');
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    await submitPassword(PASSWORD);
    await login.done;
    expect(login.out()).toContain('with a passkey');
    expect((await whoami()).out).toContain('roles: auditor, annotator');
  });

  it('refuses an answer with the wrong state on the loopback listener and keeps waiting for the right one', async () => {
    const login = await startLogin();
    const callback = new URL(login.url.searchParams.get('redirect_uri') ?? '');
    callback.search = new URLSearchParams({ code: 'A'.repeat(43), state: 'not-the-state-of-this-login' }).toString();
    const forged = await page.goto(callback.href);
    expect(forged?.status()).toBe(400);
    expect(await page.textContent('body')).toContain('state mismatch');
    expect(login.err()).toContain('refused an answer on the login listener: state does not match this login');

    await page.goto(login.url.href);
    await submitPassword(PASSWORD);
    await login.done;
    expect(login.out()).toContain('with a passkey');
  });

  it('ran every page above without a single CSP or Trusted Types violation', () => {
    expect(cspReports).toEqual([]);
  });
});
