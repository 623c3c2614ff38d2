// `npm run bench -- api [--quick]`: authorized requests/s on GET /v1/datasets/:id (token check,
// Cedar decision, authz.decide ledger entry) against the same route with authorization off, in
// the same run. Load comes from a second process on loopback (this file run with `--load`):
// keep-alive HTTPS connections, TLS 1.3. Keys of ../shared/BENCHMARKS.md: authz_rps, authz_overhead.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ApiKeys, argon2idHasher, Authenticator, Authorizer, cachingAccessStore, openPgliteAccessStore, openPostgresAccessStore, PolicyEngine, TokenIssuer, totpCode } from '@phiguard/access';
import { openConfiguredLedgerStore, openLedger, type AuditRecorder } from '@phiguard/audit';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { loadConfig, systemClock } from '@phiguard/core';
import { buildServer, ensureLocalTls, readTlsOptions, type AccessServices } from '@phiguard/server';
import { isQuick, writeResult } from './lib/result.ts';
import { probeStore, since, snapshot, type AppendStats } from './api/ledger-probe.ts';
import { runWrk, wrkAvailable } from './api/wrk-load.ts';

const DATASET = { id: 'ds_01j0000000000000000000000a', version: 3, sealedBy: ['key_01j0000000000000000000000a'], records: 1200 };

interface LoadResult {
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  /** CPU time (user + system) of this server process per successful request, µs (PGlite's work included; PostgreSQL backends not). */
  cpuUsPerRequest?: number;
}

/** The load process: `connections` keep-alive clients hammering one URL for `seconds`. */
async function runLoad(url: string, ca: string, token: string, connections: number, seconds: number): Promise<LoadResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: connections, ca, minVersion: 'TLSv1.3' });
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const one = (): Promise<void> => new Promise((resolve) => {
    const req = https.request(url, { agent, headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'HRESCH' } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) ok++;
        else failed++;
        resolve();
      });
    });
    req.on('error', () => {
      failed++;
      resolve();
    });
    req.end();
  });
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) await one();
  }));
  agent.destroy();
  return { ok, failed, seconds: (performance.now() - start) / 1000 };
}

function loadFromChild(url: string, ca: string, token: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => {
      resolve(m as LoadResult);
      child.kill();
    });
    child.once('error', reject);
    child.send({ url, ca, token, connections, seconds });
  });
}

if (process.argv.includes('--load')) {
  process.once('message', (m: { url: string; ca: string; token: string; connections: number; seconds: number }) => {
    void runLoad(m.url, m.ca, m.token, m.connections, m.seconds).then((r) => process.send?.(r));
  });
} else {
  const quick = isQuick();
  const seconds = quick ? 4 : 15;
  const home = mkdtempSync(path.join(os.tmpdir(), 'phiguard-bench-api-'));
  // API_BENCH_DB=postgres: ledger and access store on the local PostgreSQL (a fresh database, pool of 4 per store).
  const postgres = process.env.API_BENCH_DB === 'postgres';
  const adminUrl = process.env.API_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `phiguard_bench_api_${String(process.pid)}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  if (postgres) await admin(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  try {
    // API_BENCH_LEDGER_DELAY_MS: ledger.maxBatchDelayMs for this run (default: the configuration default).
    const delay = process.env.API_BENCH_LEDGER_DELAY_MS;
    const config = loadConfig({
      cwd: home,
      env: { PHIGUARD_HOME: home, ...(postgres ? { PHIGUARD_DATABASE_URL: dbUrl.href } : {}) },
      ...(delay === undefined ? {} : { overrides: { ledger: { maxBatchDelayMs: Number(delay) } } }),
    });
    const tls = ensureLocalTls(home);
    const probe = probeStore(await openConfiguredLedgerStore(config.database));
    const ledger = await openLedger({ config, clock: systemClock, store: probe.store });
    // API_BENCH_AUDIT=memory: decisions go to an in-memory recorder (to split ledger cost from the rest).
    const recorder: AuditRecorder = process.env.API_BENCH_AUDIT === 'memory' ? new MemoryAuditRecorder() : ledger;
    const store = cachingAccessStore(postgres ? await openPostgresAccessStore({ url: dbUrl.href }) : await openPgliteAccessStore(undefined), systemClock);
    const authenticator = new Authenticator({ store, clock: systemClock, audit: recorder, hasher: argon2idHasher() });
    const access: AccessServices = {
      store, authenticator, clock: systemClock, apiKeys: new ApiKeys(store, systemClock, recorder), tokens: await TokenIssuer.create(systemClock, 15 * 60_000),
      authorizer: new Authorizer(new PolicyEngine(), store, systemClock, recorder),
    };
    const password = 'violet-anchor-drizzle';
    await authenticator.createUser({ username: 'bench', password, roles: ['ml-engineer'] }, undefined);
    const challenge = await authenticator.login('bench', password);
    const session = await authenticator.completeMfa(challenge.challengeId, { totp: totpCode(challenge.enrolment?.secret ?? '', Date.now()) });
    const token = (await access.tokens.issue({ sub: session.session.userId, kind: 'user', source: session.session.id, scopes: [] })).token;
    const catalog = { get: (id: string) => Promise.resolve(id === DATASET.id ? DATASET : undefined) };
    const https1 = readTlsOptions({ cert: tls.serverCert, key: tls.serverKey });
    const on = buildServer({ version: 'bench', isReady: () => Promise.resolve(true), access, datasets: catalog, https: https1, authorization: 'on' });
    const off = buildServer({ version: 'bench', isReady: () => Promise.resolve(true), access, datasets: catalog, https: https1, authorization: 'off' });
    const urlOn = `${await on.listen({ host: '127.0.0.1', port: 0 })}/v1/datasets/${DATASET.id}`;
    const urlOff = `${await off.listen({ host: '127.0.0.1', port: 0 })}/v1/datasets/${DATASET.id}`;
    const ca = readFileSync(tls.caCert, 'utf8');
    // The durable ledger entry makes each authorized request wait for a group commit (a few ms), so
    // throughput is bounded by concurrency (Little's law): measure at 32 and at 128 connections.
    // At each: warm up both, then off, on, off, on, keeping the better run of each.
    const rps = (r: LoadResult): number => r.ok / r.seconds;
    const best = (list: LoadResult[]): LoadResult => list.reduce((a, b) => (rps(b) > rps(a) ? b : a));
    const cpu = (list: LoadResult[]): number => Math.min(...list.map((r) => r.cpuUsPerRequest ?? Number.POSITIVE_INFINITY));
    const levels: { connections: number; on: LoadResult; off: LoadResult; cpuOn: number; cpuOff: number; commits: AppendStats }[] = [];
    let failures = 0;
    for (const connections of [32, 128]) {
      const measured = async (url: string): Promise<LoadResult> => {
        const before = process.cpuUsage();
        const result = await loadFromChild(url, ca, token, connections, seconds / 2);
        const used = process.cpuUsage(before);
        result.cpuUsPerRequest = (used.user + used.system) / Math.max(1, result.ok);
        return result;
      };
      await loadFromChild(urlOff, ca, token, connections, 2);
      await loadFromChild(urlOn, ca, token, connections, 2);
      const runs: { off: LoadResult[]; on: LoadResult[] } = { off: [], on: [] };
      let commits: AppendStats | undefined;
      for (let i = 0; i < 2; i++) {
        runs.off.push(await measured(urlOff));
        const before = snapshot(probe.counters);
        runs.on.push(await measured(urlOn));
        const stats = since(before, probe.counters);
        // Group commits of the better authorized run (the one the figures come from).
        if (commits === undefined || runs.on[1] === best(runs.on)) commits = stats;
      }
      failures += [...runs.on, ...runs.off].reduce((n, r) => n + r.failed, 0);
      levels.push({ connections, on: best(runs.on), off: best(runs.off), cpuOn: cpu(runs.on), cpuOff: cpu(runs.off), commits: commits ?? since(probe.counters, probe.counters) });
    }
    // The same comparison with wrk as the client (when installed): a lean client leaves the server's
    // own cost a larger share of the machine. 128 connections, off/on alternated, better run of each.
    const wrk: Record<string, number> = {};
    if (wrkAvailable()) {
      const wrkRuns: { off: LoadResult[]; on: LoadResult[] } = { off: [], on: [] };
      const viaWrk = async (url: string): Promise<LoadResult> => {
        const before = process.cpuUsage();
        const r = await runWrk(url, token, 128, Math.max(2, Math.round(seconds / 2)));
        const used = process.cpuUsage(before);
        return { ...r, cpuUsPerRequest: (used.user + used.system) / Math.max(1, r.ok) };
      };
      await runWrk(urlOff, token, 128, 2);
      await runWrk(urlOn, token, 128, 2);
      for (let i = 0; i < 2; i++) {
        wrkRuns.off.push(await viaWrk(urlOff));
        wrkRuns.on.push(await viaWrk(urlOn));
      }
      failures += [...wrkRuns.on, ...wrkRuns.off].reduce((n, r) => n + r.failed, 0);
      const on1 = best(wrkRuns.on);
      const off1 = best(wrkRuns.off);
      Object.assign(wrk, {
        authz_rps_wrk: Math.round(rps(on1)),
        noauthz_rps_wrk: Math.round(rps(off1)),
        authz_overhead_wrk: Number((1 - rps(on1) / rps(off1)).toFixed(3)),
        server_cpu_us_per_req_authz_wrk: Math.round(cpu(wrkRuns.on)),
        server_cpu_us_per_req_noauthz_wrk: Math.round(cpu(wrkRuns.off)),
      });
    }
    if (failures > 0) throw new Error(`${String(failures)} requests failed during the benchmark`);
    const top = levels.reduce((a, b) => (rps(b.on) > rps(a.on) ? b : a));
    // The strict reading: the best authorized rate against the best unauthorized rate at any count.
    const bestOff = levels.reduce((a, b) => (rps(b.off) > rps(a.off) ? b : a));
    const decisions = ledger.head.size;
    const perLevel = Object.fromEntries(levels.flatMap((l) => [
      [`authz_rps_c${String(l.connections)}`, Math.round(rps(l.on))],
      [`noauthz_rps_c${String(l.connections)}`, Math.round(rps(l.off))],
      [`authz_overhead_c${String(l.connections)}`, Number((1 - rps(l.on) / rps(l.off)).toFixed(3))],
      [`server_cpu_us_per_req_authz_c${String(l.connections)}`, Math.round(l.cpuOn)],
      [`server_cpu_us_per_req_noauthz_c${String(l.connections)}`, Math.round(l.cpuOff)],
      [`ledger_batch_mean_c${String(l.connections)}`, Number(l.commits.meanBatch.toFixed(1))],
      [`ledger_commits_per_s_c${String(l.connections)}`, Math.round(l.commits.batches / l.on.seconds)],
      [`ledger_append_ms_mean_c${String(l.connections)}`, Number(l.commits.meanAppendMs.toFixed(2))],
    ]));
    writeResult({
      bench: 'api',
      quick,
      metrics: {
        authz_rps: Math.round(rps(top.on)),
        noauthz_rps: Math.round(rps(top.off)),
        authz_overhead: Number((1 - rps(top.on) / rps(top.off)).toFixed(3)),
        connections: top.connections,
        authz_overhead_best_vs_best: Number((1 - rps(top.on) / rps(bestOff.off)).toFixed(3)),
        authz_cpu_overhead: Number((1 - top.cpuOff / top.cpuOn).toFixed(3)),
        ...perLevel,
        ...wrk,
        seconds_per_run: seconds / 2,
        ledger_max_batch_delay_ms: config.ledger.maxBatchDelayMs,
        ledger_entries: decisions,
        in_memory_audit: process.env.API_BENCH_AUDIT === 'memory' ? 1 : 0,
        postgres: postgres ? 1 : 0,
        load_avg_1m: Number(os.loadavg()[0]?.toFixed(2) ?? 0),
      },
      notes: `GET /v1/datasets/:id over HTTPS (TLS 1.3, keep-alive), 32 and 128 connections from a forked Node load process on loopback (a Node HTTPS client, like autocannon; the load process shares the 2 cores); *_wrk: the same two routes at 128 connections driven by wrk (one thread, Debian's wrk 4.1, when installed), which spends far less CPU per request than the Node client, so the server's work is a larger share of the machine and the overhead reads higher; authz_rps/noauthz_rps/authz_overhead are those of the connection count with the higher authz_rps (\`connections\`), both routes measured at that count in the same run; *_cN are per count; authz_overhead_best_vs_best compares the best authorized rate with the best unauthorized rate at any count; authz_cpu_overhead = 1 - server CPU per request off / on at \`connections\`. authz on: EdDSA token check (verified-token cache), session and user rows (access-store cache, invalidated on writes), grants and break-glass (cache), Cedar decision (cedar-wasm, pre-parsed policies, decisions memoized by their inputs), one authz.decide entry per request appended durably to the ledger with group commit, awaited before the answer (${postgres ? 'PostgreSQL 15 local, node-postgres pool of 4 per store, ledger and access store in one fresh database' : 'embedded PGlite: ledger on a temp data folder, access store in memory; PGlite runs in this process, single connection'}). off: the same route, catalog lookup only. Best of two runs each, alternated. server_cpu_us_per_req_* = this process's CPU per request (PGlite's work included, PostgreSQL backends not): the load-independent view of the authorization cost. ledger_batch_mean_cN, ledger_commits_per_s_cN, ledger_append_ms_mean_cN: the ledger's group commits during the authorized run kept at N (entries per commit, commits per second, mean wall time of one store append: waiting behind the batch before it, the round trip and the durable COMMIT). ledger_max_batch_delay_ms: the ledger's idle linger (configuration default; API_BENCH_LEDGER_DELAY_MS overrides it, 5 = the default before issue 7's c32 work).`,
    });
    await on.close();
    await off.close();
    await store.close();
    await ledger.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (postgres) await admin(`DROP DATABASE IF EXISTS ${dbName}`);
  }
}
