import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { totpCode } from '@phiguard/access';
import { openConfiguredLedgerStore, openLedger } from '@phiguard/audit';
import { loadConfig, systemClock } from '@phiguard/core';
import { buildServer, ensureLocalTls, readTlsOptions } from '@phiguard/server';
import { buildAccessServices, openConfiguredAccessStore } from './serve-access.ts';
import { serveDeid } from './serve-deid.ts';

// The `phiguard serve` de-identification path in a process of its own, for
// remote-deid.int.test.ts: a test measures this process's peak memory (its heap is limited by
// --max-old-space-size) while it streams large files. Usage: deid-test-server.ts ROOT DATABASE_URL.
// It prints one JSON line {url, ca, sessionToken, user} (a logged-in data steward), then answers
// each `mem` line on stdin with {maxRss, rss} in bytes; `quit` closes it.

const [root, databaseUrl] = process.argv.slice(2);
if (root === undefined || databaseUrl === undefined) throw new TypeError('usage: deid-test-server.ts ROOT DATABASE_URL');
const config = loadConfig({ cwd: root, env: { PHIGUARD_DATABASE_URL: databaseUrl } });
const clock = systemClock;
const ledgerStore = await openConfiguredLedgerStore(config.database);
const ledger = await openLedger({ config, clock, store: ledgerStore });
const store = await openConfiguredAccessStore(config, clock);
const access = await buildAccessServices(store, clock, ledger, {});
// A data steward logged in with password and TOTP (service accounts may not write data).
const password = randomBytes(18).toString('base64url');
// A new one at each start (a test restarts the server on the same stores).
const username = `steward-${randomBytes(4).toString('hex')}`;
const user = await access.authenticator.createUser({ username, password, roles: ['data-steward'] }, undefined);
const challenge = await access.authenticator.login(username, password);
if (challenge.enrolment === undefined) throw new TypeError('a new user enrols TOTP at first login');
const session = await access.authenticator.completeMfa(challenge.challengeId, { totp: totpCode(challenge.enrolment.secret, clock.nowMs()) });
const deid = serveDeid(config.home, { stderr: process.stderr }, { recorder: ledger, clock });
const tls = ensureLocalTls(config.home);
const app = buildServer({
  version: 'test', isReady: () => Promise.resolve(true), access, remote: { deid },
  https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }), logStream: createWriteStream(path.join(root, 'server.log'), { flags: 'a' }),
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url, ca: tls.caCert, sessionToken: session.token, user: user.id })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'mem') process.stdout.write(`${JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024, rss: process.memoryUsage().rss })}\n`);
  if (line === 'quit') break;
}
// Keep-alive client connections may hold app.close() open: give the closes a few seconds, then exit.
const closed = (async (): Promise<void> => {
  await app.close();
  await deid.close();
  await ledger.close();
  await store.close();
})();
await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
process.exit(0);
