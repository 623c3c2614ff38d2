// `npm run bench -- ledger [--quick]`: durable appends/s and record→signed-checkpoint latency of
// the audit ledger with 1, 16 and 256 concurrent writers on PostgreSQL and PGlite; inclusion
// proof generation and verification at 1M entries; and, in the same run, the limits around it:
// SHA-256 leaf hashes/s, Ed25519 checkpoint signatures/s, durable PostgreSQL commits/s and the
// raw store's multi-row insert rate. Keys: BENCHMARKS.md (ledger). synchronous_commit stays ON.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  checkpointSigner,
  leafHash,
  Ledger,
  loadOrCreateSignerKeys,
  openPgliteLedgerStore,
  openPostgresLedgerStore,
  prepareLeaf,
  proveInclusion,
  readVerifiedHead,
  parseVerifierKey,
  signCheckpoint,
  TreeBuilder,
  verifyInclusion,
  type AuditEventInput,
  type LedgerStore,
  type SignerKeys,
} from '@phiguard/audit';
import { systemClock } from '@phiguard/core';
import { isQuick, percentile, writeResult } from './lib/result.ts';

const quick = isQuick();
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ORIGIN = 'bench.phiguard/audit';
const RUN_MS = quick ? 2500 : 8000;
const WARMUP_MS = quick ? 500 : 1500;
// Quick runs use a 100k-entry log for the proof figures (same keys; BENCHMARKS.md: smaller inputs).
const PROOF_SIZE = quick ? 100_000 : 1_000_000;
const BATCH = { maxBatchSize: 4096, maxBatchDelayMs: 0 }; // the configuration defaults (core/config.ts)
const home = mkdtempSync(path.join(tmpdir(), 'bench-ledger-'));
const keys: SignerKeys = loadOrCreateSignerKeys(path.join(home, 'home'), ORIGIN);
const metrics: Record<string, number> = {};
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
function id(prefix: string, n: number): string {
  let body = '';
  for (let x = n, i = 0; i < 26; i++, x = Math.floor(x / 32)) body = (CROCKFORD[x % 32] ?? '0') + body;
  return `${prefix}_${body}`;
}
function event(n: number): AuditEventInput {
  return {
    actor: { kind: 'user', id: id('usr', n % 97) },
    action: n % 3 === 0 ? 'dataset.read' : 'key.unwrap',
    outcome: 'success',
    resources: [{ type: 'dataset', id: id('ds', n % 13) }],
    purpose: 'TREAT',
    requestId: `req-${String(n)}`,
    details: { count: n, sealed: true },
  };
}

function pgSchema(): { schema: string; drop: () => Promise<void> } {
  const schema = `bench_ledger_${randomBytes(5).toString('hex')}`;
  return {
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

interface RunResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of this process (validation, leaves, tree, signatures, driver; PGlite itself) per acknowledged append. */
  readonly nodeCpuUs: number;
  /** CPU time of the PostgreSQL backends serving the ledger per acknowledged append (NaN for PGlite). */
  readonly dbCpuUs: number;
}

/** utime + stime of processes, in µs (Linux /proc/PID/stat, fields 14 and 15, in clock ticks of 10 ms). */
function procCpuUs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000;
}

async function backendPids(appName: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const rows = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName]);
    return rows.rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

/**
 * N writers, each awaiting record() in a loop; counts what was acknowledged after the warm-up.
 * `pauseMs`: each writer waits that long (a timer) between its answer and its next record, as an
 * HTTP client does, so that the ledger goes idle between waves (the path the API takes).
 */
async function appendRun(store: LedgerStore, writers: number, appName: string | undefined, pace: { pauseMs?: number; maxBatchDelayMs?: number } = {}): Promise<RunResult> {
  const ledger = await Ledger.open({ store, signer: checkpointSigner(keys), clock: systemClock, origin: ORIGIN, ...BATCH, ...(pace.maxBatchDelayMs === undefined ? {} : { maxBatchDelayMs: pace.maxBatchDelayMs }) });
  const startSize = ledger.head.size;
  const t0 = performance.now();
  const measureFrom = t0 + WARMUP_MS;
  const end = measureFrom + RUN_MS;
  const latencies: number[] = [];
  let counted = 0;
  let n = 0;
  let cpuFrom: { node: NodeJS.CpuUsage; db: number; pids: number[]; size: number } | undefined;
  const startCpu = async (): Promise<void> => {
    const pids = appName === undefined ? [] : await backendPids(appName);
    cpuFrom = { node: process.cpuUsage(), db: procCpuUs(pids), pids, size: ledger.head.size };
  };
  // Started by the first writer past the warm-up (with PGlite busy, timers would not run).
  let starting = false;
  const writer = async (): Promise<void> => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      if (!starting && now >= measureFrom) {
        starting = true;
        void startCpu();
      }
      const began = now;
      await ledger.record(event(n++));
      const done = performance.now();
      if (began >= measureFrom && done <= end) {
        latencies.push(done - began);
        counted += 1;
      } else if (began >= measureFrom) counted += 1;
      if (pace.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, pace.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: writers }, () => writer()));
  const seconds = (performance.now() - measureFrom) / 1000;
  const node = process.cpuUsage(cpuFrom?.node);
  const dbUs = cpuFrom === undefined || appName === undefined ? Number.NaN : procCpuUs(cpuFrom.pids) - cpuFrom.db;
  const appended = ledger.head.size - (cpuFrom?.size ?? startSize);
  await ledger.close();
  return {
    perSecond: counted / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeCpuUs: (node.user + node.system) / Math.max(1, appended),
    dbCpuUs: dbUs / Math.max(1, appended),
  };
}

async function backendRuns(name: 'pg' | 'pglite', open: () => Promise<{ store: () => Promise<LedgerStore>; appName?: string; done: () => Promise<void> }>): Promise<void> {
  if (name === 'pg') {
    // 32 writers pausing 1 ms between records (the API's pattern), with the default batching and,
    // alternated in the same run, with the 5 ms idle timer that was the default before.
    for (const delay of [BATCH.maxBatchDelayMs, 5, BATCH.maxBatchDelayMs, 5]) {
      const db = await open();
      const r = await appendRun(await db.store(), 32, db.appName, { pauseMs: 1, maxBatchDelayMs: delay });
      await db.done();
      const key = `pg_32_pause1ms${delay === BATCH.maxBatchDelayMs ? '' : `_delay${String(delay)}ms`}`;
      if ((metrics[`appends_per_s_${key}`] ?? 0) < r.perSecond) {
        metrics[`appends_per_s_${key}`] = Math.round(r.perSecond);
        metrics[`p50_checkpoint_ms_${key}`] = round2(r.p50);
      }
      log(`pg 32 writers, 1 ms pause, maxBatchDelayMs ${String(delay)}: ${Math.round(r.perSecond)} appends/s, p50 ${r.p50.toFixed(1)} ms (load ${loadavg()[0]?.toFixed(1) ?? '?'})`);
    }
  }
  for (const writers of [1, 16, 256]) {
    const db = await open();
    const r = await appendRun(await db.store(), writers, db.appName);
    await db.done();
    const key = `${name}_${String(writers)}`;
    metrics[`appends_per_s_${key}`] = Math.round(r.perSecond);
    metrics[`p50_checkpoint_ms_${key}`] = round2(r.p50);
    metrics[`p99_checkpoint_ms_${key}`] = round2(r.p99);
    metrics[`cpu_us_per_append_node_${key}`] = round2(r.nodeCpuUs);
    if (name === 'pg') {
      metrics[`cpu_us_per_append_db_${key}`] = round2(r.dbCpuUs);
      metrics[`appends_per_cpu_s_${key}`] = Math.round(1e6 / (r.nodeCpuUs + r.dbCpuUs));
    } else metrics[`appends_per_cpu_s_${key}`] = Math.round(1e6 / r.nodeCpuUs);
    log(
      `${name} ${String(writers)} writers: ${Math.round(r.perSecond)} appends/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
        `CPU/append node ${r.nodeCpuUs.toFixed(1)} µs${name === 'pg' ? `, postgres ${r.dbCpuUs.toFixed(1)} µs` : ''} (load ${loadavg()[0]?.toFixed(1) ?? '?'})`,
    );
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function rate(seconds: number, work: () => number): number {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let n = 0;
  while (performance.now() < end) n += work();
  return n / ((performance.now() - t0) / 1000);
}

metrics.load_avg_1m_start = round2(loadavg()[0] ?? Number.NaN);

// 1. Limits: SHA-256 of a typical leaf, Ed25519 signatures of a checkpoint body.
const sampleLeaf = prepareLeaf(event(12345), new Date()).bytes;
metrics.leaf_bytes = sampleLeaf.length;
metrics.sha256_per_s = Math.round(rate(1, () => {
  for (let i = 0; i < 1000; i++) createHash('sha256').update(sampleLeaf).digest();
  return 1000;
}));
const { privateKey } = generateKeyPairSync('ed25519');
const body = Buffer.from(`${ORIGIN}\n123456\n${randomBytes(32).toString('base64')}\n`);
metrics.ed25519_sign_per_s = Math.round(rate(1, () => {
  for (let i = 0; i < 100; i++) sign(null, body, privateKey);
  return 100;
}));
metrics.prepare_leaf_per_s = Math.round(rate(1, () => {
  for (let i = 0; i < 1000; i++) prepareLeaf(event(i), new Date());
  return 1000;
}));
log(`limits: sha256 ${String(metrics.sha256_per_s)}/s, ed25519 ${String(metrics.ed25519_sign_per_s)}/s, validate+canonicalize ${String(metrics.prepare_leaf_per_s)}/s`);

// 2. PostgreSQL limits: durable single-row commits/s (fsync bound) and the raw store with 256-row batches.
{
  const { schema, drop } = pgSchema();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (i bigint)`);
  metrics.pg_commits_per_s = Math.round(await asyncRate(quick ? 1 : 2, async () => {
    await c.query(`INSERT INTO ${schema}.t VALUES (1)`);
    return 1;
  }));
  await c.end();
  const store = await openPostgresLedgerStore({ url: PG_URL, schema });
  await store.append({ fromSize: 0, entries: [], tiles: [], checkpoint: { size: 0, note: 'x' } });
  let size = 0;
  const tree = await TreeBuilder.open(0, store);
  metrics.pg_raw_store_rows_per_s_256 = Math.round(await asyncRate(quick ? 1.5 : 3, async () => {
    const leaves = Array.from({ length: 256 }, (_, i) => prepareLeaf(event(size + i), new Date()));
    const appended = tree.append(leaves.map((l) => leafHash(l.bytes)));
    const head = signCheckpoint({ signer: checkpointSigner(keys), origin: ORIGIN }, appended.size, appended.root);
    await store.append({ fromSize: size, entries: leaves.map((l, i) => rowOf(size + i, l)), tiles: appended.dirtyTiles, checkpoint: { size: head.size, note: head.note } });
    size += 256;
    return 256;
  }));
  await store.close();
  await drop();
  log(`postgres: ${String(metrics.pg_commits_per_s)} durable commits/s, raw store ${String(metrics.pg_raw_store_rows_per_s_256)} rows/s in 256-row transactions`);
}

async function asyncRate(seconds: number, work: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let n = 0;
  while (performance.now() < end) n += await work();
  return n / ((performance.now() - t0) / 1000);
}

function rowOf(index: number, leaf: ReturnType<typeof prepareLeaf>): Parameters<LedgerStore['append']>[0]['entries'][number] {
  return { index, leaf: leaf.bytes, actorId: leaf.event.actor.id, action: leaf.event.action, time: leaf.event.time, resources: leaf.event.resources ?? [] };
}

// 3. Appends through the ledger (group commit) on PostgreSQL and PGlite.
await backendRuns('pg', () => {
  const { schema, drop } = pgSchema();
  let store: LedgerStore | undefined;
  // The application name finds the ledger's backends in pg_stat_activity, for their CPU time.
  const appName = `bench_${schema}`;
  return Promise.resolve({
    store: async () => (store = await openPostgresLedgerStore({ url: `${PG_URL}?application_name=${appName}`, schema, maxConnections: 2 })),
    appName,
    done: async () => {
      await store?.close().catch(() => undefined);
      await drop();
    },
  });
});
const metric = (key: string): number => metrics[key] ?? Number.NaN;
metrics.tessera_ratio = round2(metric('appends_per_s_pg_256') / 1600);
metrics.ledger_to_raw_store_pg_256 = round2(metric('appends_per_s_pg_256') / metric('pg_raw_store_rows_per_s_256'));
metrics.ledger_to_sha256 = Math.round((metric('appends_per_s_pg_256') / metric('sha256_per_s')) * 10000) / 10000;

await backendRuns('pglite', () => {
  const dir = mkdtempSync(path.join(home, 'pglite-'));
  let store: LedgerStore | undefined;
  return Promise.resolve({
    store: async () => (store = await openPgliteLedgerStore(dir)),
    done: async () => {
      await store?.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

// 4. Proofs at 1M entries on PostgreSQL: build the log in large batches (same leaves, tiles and
// signed checkpoints as the ledger writes), then prove and verify random indexes.
{
  const { schema, drop } = pgSchema();
  const store = await openPostgresLedgerStore({ url: PG_URL, schema });
  const signer = checkpointSigner(keys);
  const tree = await TreeBuilder.open(0, store);
  await store.append({ fromSize: 0, entries: [], tiles: [], checkpoint: signCheckpointRow(signer, 0, tree.root) });
  const built = performance.now();
  const BUILD_BATCH = 16_384;
  for (let size = 0; size < PROOF_SIZE; size += BUILD_BATCH) {
    const count = Math.min(BUILD_BATCH, PROOF_SIZE - size);
    const now = new Date();
    const leaves = Array.from({ length: count }, (_, i) => prepareLeaf(event(size + i), now));
    const appended = tree.append(leaves.map((l) => leafHash(l.bytes)));
    await store.append({ fromSize: size, entries: leaves.map((l, i) => rowOf(size + i, l)), tiles: appended.dirtyTiles, checkpoint: signCheckpointRow(signer, appended.size, appended.root) });
  }
  metrics.build_1m_s = round2((performance.now() - built) / 1000);
  log(`built ${String(PROOF_SIZE)} entries in ${String(metrics.build_1m_s)} s`);
  const head = await readVerifiedHead(store, [parseVerifierKey(keys.verifierKey)]);
  const indexes = Array.from({ length: quick ? 200 : 1000 }, () => Math.floor(Math.random() * PROOF_SIZE));
  const proofs: Awaited<ReturnType<typeof proveInclusion>>[] = [];
  const g0 = performance.now();
  for (const index of indexes) proofs.push(await proveInclusion(store, head, index));
  metrics.proof_gen_us_1m = Math.round(((performance.now() - g0) * 1000) / indexes.length);
  let ok = 0;
  const rounds = quick ? 5 : 20;
  const v0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const p of proofs) if (verifyInclusion(p.leafHash, p.index, p.size, p.proof, p.root)) ok += 1;
  metrics.proof_verify_us_1m = round2(((performance.now() - v0) * 1000) / (rounds * proofs.length));
  if (ok !== rounds * proofs.length) throw new Error('a generated proof did not verify');
  metrics.proof_hashes_1m = proofs[0]?.proof.length ?? 0;
  log(`proofs at 1M: generate ${String(metrics.proof_gen_us_1m)} µs (database reads included), verify ${String(metrics.proof_verify_us_1m)} µs`);
  await store.close();
  await drop();
}

function signCheckpointRow(signer: ReturnType<typeof checkpointSigner>, size: number, root: Buffer): { size: number; note: string } {
  const head = signCheckpoint({ signer, origin: ORIGIN }, size, root);
  return { size: head.size, note: head.note };
}

rmSync(home, { recursive: true, force: true });
metrics.load_avg_1m_end = round2(loadavg()[0] ?? Number.NaN);
writeResult({
  bench: 'ledger',
  quick,
  metrics,
  notes:
    `Durable appends through Ledger.record() (validation, RFC 8785 leaf, SHA-256, tiles, one Ed25519-signed checkpoint per group commit, one transaction) ` +
    `with the default batching (maxBatchSize ${String(BATCH.maxBatchSize)}, maxBatchDelayMs ${String(BATCH.maxBatchDelayMs)}); each writer awaits its record() before the next, ` +
    `${String(RUN_MS / 1000)} s measured after ${String(WARMUP_MS / 1000)} s warm-up, latency = record() call to its promise resolving (after COMMIT of the signed checkpoint). ` +
    `*_pg_32_pause1ms: 32 writers that wait 1 ms (a timer) after each answer, as HTTP clients do, so the ledger goes idle between waves; *_delay5ms: the same with maxBatchDelayMs 5 (the default before), alternated in the same run, best of two each. ` +
    `PostgreSQL 15 local (synchronous_commit on, fsync on, Pool of 2), PGlite on a temp data folder. ${String(sampleLeaf.length)}-byte leaves. ` +
    `Limits measured in the same run: pg_commits_per_s (single-row durable commits, one connection), pg_raw_store_rows_per_s_256 (the store's 256-row append without the ledger's queue), ` +
    `sha256_per_s, ed25519_sign_per_s, prepare_leaf_per_s. Proofs: ${String(PROOF_SIZE)}-entry log built with 16384-entry batches on PostgreSQL; proof_gen includes the tile reads. ` +
    `tessera_ratio = appends_per_s_pg_256 / 1600 (Tessera POSIX, published). ` +
    `cpu_us_per_append_node_* = this process's CPU time (user+system) per acknowledged append (PGlite's own work included); cpu_us_per_append_db_pg_* = the ledger's PostgreSQL backends' CPU time (/proc, 10 ms ticks) per append (WAL writer and checkpointer not included); appends_per_cpu_s = 1e6 / their sum: the rate one free core would sustain. ` +
    `Shared 2-core machine: other work ran at the same time (load_avg_1m_start/end).`,
});
