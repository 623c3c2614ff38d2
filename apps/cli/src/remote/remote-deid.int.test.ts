import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { openConfiguredLedgerStore, parseLeaf, type AuditEvent } from '@phiguard/audit';
import { loadConfig } from '@phiguard/core';
import { writeSyntheticMultiframe, type OutputNamer } from '@phiguard/deid';
import { readDeidFrames, type DeidFrame } from '@phiguard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputNamerOf, runCliTyped, type TypedCliResult } from '../testing/cli-harness.ts';
import { psql, testDatabaseUrl } from '../testing/remote-harness.ts';

// `phiguard deid <format> --server URL` against a real server in a process of its own
// (deid-test-server.ts: HTTPS, ledger and access store on PostgreSQL, a logged-in data-steward
// user), compared with the local command run with the same key: same output bytes, a deid.run
// ledger entry per file as the caller, a large file streamed in bounded memory, a malformed
// message mid-stream reported by place, resumable folder runs, and no seeded PHI in the ledger or logs.
const here = import.meta.dirname;
const corpus = path.resolve(here, '../../../../../shared/corpus');
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-remote-deid-'));
const suffix = randomBytes(4).toString('hex');
const schemas = { server: `cli_rdeid_s_${suffix}`, local: `cli_rdeid_l_${suffix}` };
const dbUrl = testDatabaseUrl;
const serverRoot = path.join(root, 'server');
const client = path.join(root, 'client');
const local = path.join(root, 'local');
const data = path.join(root, 'data');
const serverKey = path.join(serverRoot, '.phiguard', 'deid.key');
/** Heap of the server process: far below the size of the large file it streams. */
const HEAP_MB = 128;
const BIG_MB = Number(process.env.PHIGUARD_TEST_BIG_MB ?? 300);
/** The warm-up file (streamed too: over the 8 MiB threshold). */
const WARM_MB = 40;
/** Growth of the server's peak RSS allowed while it de-identifies the large file (after the warm-up). */
const RSS_BOUND_MB = 128;
const BROKEN_MESSAGE = 4711;
const SEEDS = ['Quixote-Smithers', 'QUIXOTE-SMITHERS', '99887766', '555-123-4567', '12 Elm St'];
const SEEDED_HL7 = 'MSH|^~\\&|APP|FAC|REC|RFAC|20240101120000||ADT^A01|MSG0001|P|2.5\rPID|1||99887766^^^HOSP^MR||QUIXOTE-SMITHERS^JONATHAN||19620417|M|||12 Elm St^^Springfield^IL^62701||555-123-4567\r';

let server: ChildProcessWithoutNullStreams;
let serverLines: AsyncIterator<string>;
let account = '';
let url = '';
/** The server's CA file and the steward's session token (for the raw HTTPS requests below). */
let login = { ca: '', sessionToken: '' };

type Run = TypedCliResult;

function run(cwd: string, env: Record<string, string>, args: readonly string[]): Promise<Run> {
  return runCliTyped({ cwd, env }, ...args);
}

const remoteRun = (...args: string[]): Promise<Run> => run(client, {}, ['--server', url, '--purpose', 'HOPERAT', ...args]);
const localRun = (...args: string[]): Promise<Run> => run(local, { PHIGUARD_DATABASE_URL: dbUrl(schemas.local) }, [...args, '--key-file', serverKey]);

async function serverLine(): Promise<string> {
  const next = await serverLines.next();
  if (next.done === true) throw new Error('the test server stopped');
  return next.value;
}

async function serverMemory(): Promise<{ maxRss: number; rss: number }> {
  server.stdin.write('mem\n');
  return JSON.parse(await serverLine()) as { maxRss: number; rss: number };
}

async function deidEntries(): Promise<AuditEvent[]> {
  const store = await openConfiguredLedgerStore(loadConfig({ cwd: serverRoot, env: { PHIGUARD_DATABASE_URL: dbUrl(schemas.server) } }).database);
  try {
    return (await store.search({ action: 'deid.run', limit: 10_000 })).map((hit) => parseLeaf(hit.leaf));
  } finally {
    await store.close();
  }
}

/** Every output file below `dir` (journal and manifest aside), by relative path, as hashes. */
function outputs(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (!name.startsWith('deid-manifest') && !name.startsWith('.') && !name.endsWith('.journal') && !name.includes('journal')) found[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  visit(dir);
  return found;
}

interface Manifest {
  readonly manifest: { readonly inputs: unknown; readonly outputs: unknown; readonly counts: unknown; readonly totals: unknown; readonly problems: unknown; readonly profile: unknown; readonly keyId: string };
}

function manifestOf(dir: string): Manifest['manifest'] {
  return (JSON.parse(readFileSync(path.join(dir, 'deid-manifest.json'), 'utf8')) as Manifest).manifest;
}

function copyInto(dir: string, files: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, path.join(dir, path.basename(f)));
}

/** Starts (or restarts, on the same stores) the server process and stores a login session for it. */
async function startServer(): Promise<void> {
  server = spawn(process.execPath, [`--max-old-space-size=${String(HEAP_MB)}`, path.join(here, 'deid-test-server.ts'), serverRoot, dbUrl(schemas.server)], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr.resume();
  serverLines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  const info = JSON.parse(await serverLine()) as { url: string; ca: string; sessionToken: string; user: string };
  account = info.user;
  // What `phiguard login` keeps (the server logged the steward in with password and TOTP).
  mkdirSync(path.join(client, '.phiguard'), { recursive: true });
  writeFileSync(path.join(client, '.phiguard', 'cli-session.json'), JSON.stringify({ server: info.url, sessionToken: info.sessionToken, caFile: info.ca }), { mode: 0o600 });
  url = info.url;
  login = { ca: info.ca, sessionToken: info.sessionToken };
}

/** How the runs here name their outputs (the server's key, which the client and the local runs hold). */
const names = (): OutputNamer => outputNamerOf(path.join(client, '.phiguard'));

beforeAll(async () => {
  for (const dir of [serverRoot, client, local, data]) mkdirSync(dir, { recursive: true });
  psql(`create schema ${schemas.server}; create schema ${schemas.local}`);
  // The server's de-identification key, made here so the client can hold it too: the client names its
  // outputs with its own key, and with the server's (which the local runs below use) the layouts match.
  mkdirSync(path.dirname(serverKey), { recursive: true, mode: 0o700 });
  writeFileSync(serverKey, randomBytes(32), { mode: 0o600 });
  mkdirSync(path.join(client, '.phiguard'), { recursive: true, mode: 0o700 });
  copyFileSync(serverKey, path.join(client, '.phiguard', 'deid.key'));
  await startServer();
}, 120_000);

afterAll(async () => {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.stdin.write('quit\n');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  server.kill();
  psql(`drop schema if exists ${schemas.server} cascade; drop schema if exists ${schemas.local} cascade`);
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('phiguard deid <format> --server URL (streamed)', () => {
  const corpusSets = {
    hl7v2: readdirSync(path.join(corpus, 'hl7v2-msft-fhir-converter')).map((f) => path.join(corpus, 'hl7v2-msft-fhir-converter', f)),
    fhir: [
      ...readdirSync(path.join(corpus, 'fhir-synthea-hiv-bundles')).slice(0, 2).map((f) => path.join(corpus, 'fhir-synthea-hiv-bundles', f)),
      path.join(corpus, 'fhir-bulk-ndjson-10patients', 'Patient.000.ndjson'),
    ],
    text: readdirSync(path.join(corpus, 'notes-meddocan-es')).filter((f) => f.endsWith('.txt') && !f.startsWith('LICENSE')).slice(0, 4).map((f) => path.join(corpus, 'notes-meddocan-es', f)),
    dicom: ['CT_small.dcm', 'MR_small.dcm', 'MR_small_bigendian.dcm', 'ExplVR_BigEnd.dcm'].map((f) => path.join(corpus, 'dicom-pydicom-testfiles', f)),
  } as const;

  it('gives the same output bytes and manifest facts as the local command for corpus files, and a deid.run entry per file as the caller', async () => {
    let posted = 0;
    for (const [format, files] of Object.entries(corpusSets)) {
      const input = path.join(data, format);
      copyInto(input, files);
      const r = await remoteRun('deid', format, input, '--out', path.join(client, `out-${format}`));
      const l = await localRun('deid', format, input, '--out', path.join(local, `out-${format}`));
      expect(r.error).toBeUndefined();
      expect(l.error).toBeUndefined();
      const remoteOut = outputs(path.join(client, `out-${format}`));
      expect(Object.keys(remoteOut).length).toBeGreaterThan(0);
      expect(remoteOut).toEqual(outputs(path.join(local, `out-${format}`)));
      const [rm, lm] = [manifestOf(path.join(client, `out-${format}`)), manifestOf(path.join(local, `out-${format}`))];
      for (const k of ['inputs', 'outputs', 'counts', 'totals', 'problems', 'profile', 'keyId'] as const) expect(rm[k]).toEqual(lm[k]);
      posted += files.length;
    }
    // DICOM over 8 MiB takes the streamed path on both sides (header read incrementally, Pixel Data copied by range).
    const bigDicom = path.join(data, 'dicom-big');
    mkdirSync(bigDicom, { recursive: true });
    writeSyntheticMultiframe(path.join(bigDicom, 'native.dcm'), { frames: 20, trailer: true });
    writeSyntheticMultiframe(path.join(bigDicom, 'rle.dcm'), { frames: 20, encapsulated: true, trailer: true });
    for (const f of readdirSync(bigDicom)) expect(statSync(path.join(bigDicom, f)).size).toBeGreaterThan(8 * 2 ** 20);
    const r = await remoteRun('deid', 'dicom', bigDicom, '--out', path.join(client, 'out-dicom-big'));
    const l = await localRun('deid', 'dicom', bigDicom, '--out', path.join(local, 'out-dicom-big'));
    expect(r.error ?? l.error).toBeUndefined();
    expect(Object.keys(outputs(path.join(client, 'out-dicom-big')))).toHaveLength(2);
    expect(outputs(path.join(client, 'out-dicom-big'))).toEqual(outputs(path.join(local, 'out-dicom-big')));
    posted += 2;
    const entries = await deidEntries();
    expect(entries).toHaveLength(posted);
    for (const e of entries) {
      expect(e.actor).toEqual({ kind: 'user', id: account });
      expect(e.purpose).toBe('HOPERAT');
      expect(Object.keys(e.details ?? {}).sort()).toEqual(expect.arrayContaining(['changes', 'files', 'filesFailed', 'format', 'keyId', 'manifestHash', 'profile', 'profileHash', 'records', 'recordsFailed', 'inputSha256'].sort()));
      expect(e.resources).toEqual([{ type: 'deid-manifest', id: e.details?.manifestHash }]);
    }
    // Each output the client wrote is one the server recorded.
    const recorded = new Set(entries.map((e) => e.details?.outputSha256));
    for (const dir of [...Object.keys(corpusSets), 'dicom-big']) for (const hash of Object.values(outputs(path.join(client, `out-${dir}`)))) expect(recorded.has(`sha256:${hash}`)).toBe(true);
  }, 600_000);

  it(`streams a ${String(BIG_MB)} MB HL7 batch through a server with a ${String(HEAP_MB)} MB heap; message ${String(BROKEN_MESSAGE)} is reported by place, the others are kept`, async () => {
    const input = path.join(data, 'big');
    mkdirSync(input, { recursive: true });
    // Warm up on a streamed file (over 8 MiB): the worker, the engines and both V8 heaps reach their
    // working size, so the peak below measures what the large file adds.
    mkdirSync(path.join(data, 'warm'), { recursive: true });
    generateHl7(path.join(data, 'warm', 'warm.hl7'), WARM_MB);
    expect((await remoteRun('deid', 'hl7v2', path.join(data, 'warm'), '--out', path.join(client, 'warm'))).error).toBeUndefined();
    const before = await serverMemory();
    const { messages, brokenLine } = generateHl7(path.join(input, 'batch.hl7'), BIG_MB);
    const r = await remoteRun('deid', 'hl7v2', path.join(input, 'batch.hl7'), '--out', path.join(client, 'out-big'));
    const after = await serverMemory();
    expect(r.error).toBeUndefined();
    // Reported by place, as the local command reports it: file, line, segment, field, message index.
    // Piped, so by the output name (--report-names auto): the input's name stays on this side.
    expect(r.err).toContain(`record skipped: ${names().path('batch.hl7')}: MSH-2 (encoding characters)`);
    expect(r.err + r.out).not.toContain('batch');
    expect(r.err).toMatch(new RegExp(`\\(line ${String(brokenLine)}, segment MSH, field 2, index ${String(BROKEN_MESSAGE)}\\) \\[hl7-bad-encoding\\]`));
    expect(r.out).toMatch(/records\s+\d+\n\s+failed\s+1\n/);
    expect((after.maxRss - before.maxRss) / 2 ** 20).toBeLessThan(RSS_BOUND_MB);
    const out = readFileSync(path.join(client, 'out-big', names().path('batch.hl7')));
    let msh = 0;
    for (let i = out.indexOf('MSH|'); i >= 0; i = out.indexOf('MSH|', i + 4)) msh++;
    expect(msh).toBe(messages - 1);
    for (const seed of SEEDS) expect(out.includes(seed)).toBe(false);
    const manifest = manifestOf(path.join(client, 'out-big'));
    expect(manifest.problems).toEqual([expect.objectContaining({ code: 'hl7-bad-encoding', place: expect.objectContaining({ segment: 'MSH', field: '2', index: BROKEN_MESSAGE }) as unknown })]);
    const entry = (await deidEntries()).at(-1);
    expect(entry?.details).toMatchObject({ records: messages, recordsFailed: 1, files: 1, filesFailed: 0 });
    // The local command (streaming engine, same key) writes the same bytes.
    const l = await localRun('deid', 'hl7v2', path.join(input, 'batch.hl7'), '--out', path.join(local, 'out-big'));
    expect(l.err).toBe(r.err);
    expect(outputs(path.join(local, 'out-big'))).toEqual(outputs(path.join(client, 'out-big')));
  }, 900_000);

  it('resumes a half-done folder run from the client journal: done files are not sent again', async () => {
    const input = path.join(data, 'resume');
    copyInto(input, corpusSets.hl7v2.slice(0, 6));
    const out = path.join(client, 'out-resume');
    expect((await remoteRun('deid', 'hl7v2', input, '--out', out)).error).toBeUndefined();
    const journal = readdirSync(out).find((f) => f.includes('journal')) ?? '';
    const lines = readFileSync(path.join(out, journal), 'utf8').split('\n').filter((l) => l !== '');
    // As if the run had stopped after its second file: header and two entries kept.
    writeFileSync(path.join(out, journal), `${lines.slice(0, 3).join('\n')}\n`);
    rmSync(path.join(out, 'deid-manifest.json'));
    const before = (await deidEntries()).length;
    const again = await remoteRun('deid', 'hl7v2', input, '--out', out);
    expect(again.error).toBeUndefined();
    expect(again.out).toMatch(/resumed \(already done\)\s+2/);
    expect((await deidEntries()).length - before).toBe(4);
    const whole = outputs(path.join(client, 'out-hl7v2'));
    const resumed = outputs(out);
    expect(Object.keys(resumed)).toHaveLength(6);
    for (const [name, hash] of Object.entries(resumed)) expect(hash).toBe(whole[name]);
  }, 300_000);

  it('stops the run when the connection is lost mid-file; the same command then resumes with that file', async () => {
    const input = path.join(data, 'cut');
    mkdirSync(input, { recursive: true });
    writeFileSync(path.join(input, 'a.hl7'), SEEDED_HL7);
    generateHl7(path.join(input, 'b.hl7'), 60);
    writeFileSync(path.join(input, 'c.hl7'), SEEDED_HL7);
    const out = path.join(client, 'out-cut');
    const running = remoteRun('deid', 'hl7v2', input, '--out', out);
    // The server dies once b.hl7's output has started to arrive.
    const partial = path.join(out, `${names().path('b.hl7')}.partial`);
    while (!existsSync(partial) || statSync(partial).size === 0) await sleep(50);
    server.kill('SIGKILL');
    const cut = await running;
    expect(cut.error).toMatch(/\[transfer-failed\]$/);
    expect(existsSync(path.join(out, names().path('b.hl7')))).toBe(false);
    expect(existsSync(path.join(out, 'deid-manifest.json'))).toBe(false);
    await startServer();
    const again = await remoteRun('deid', 'hl7v2', input, '--out', out);
    expect(again.error).toBeUndefined();
    expect(again.out).toMatch(/resumed \(already done\)\s+1\n/);
    expect(Object.keys(outputs(out)).sort()).toEqual(['a.hl7', 'b.hl7', 'c.hl7'].map((f) => names().path(f)).sort());
    expect(readdirSync(path.join(serverRoot, '.phiguard', 'deid-spool'))).toEqual([]);
  }, 300_000);

  it('starts the engine before the upload ends over HTTPS (first output frame while half the file is unsent); a cut upload is a failed deid.run', async () => {
    const file = path.join(data, 'held.hl7');
    generateHl7(file, 12);
    const bytes = readFileSync(file);
    const half = Math.floor(bytes.length / 2);
    // Held: the rest is sent only once an output frame has arrived (spooled whole first, it never would).
    const held = await rawDeid(bytes.length);
    held.req.write(bytes.subarray(0, half));
    const frames: AsyncIterator<DeidFrame, void> = readDeidFrames(await held.res)[Symbol.asyncIterator]();
    const first = await frames.next();
    expect(first.value?.kind).toBe('output');
    held.req.end(bytes.subarray(half));
    const received = [first.value?.kind === 'output' ? first.value.bytes : Buffer.alloc(0)];
    let trailer: unknown;
    for (let f = await frames.next(); f.done !== true; f = await frames.next()) {
      if (f.value.kind === 'output') received.push(f.value.bytes);
      else trailer = f.value.json;
    }
    expect(trailer).toMatchObject({ ok: true, inputBytes: bytes.length });
    copyInto(path.join(data, 'held'), [file]);
    expect((await localRun('deid', 'hl7v2', path.join(data, 'held'), '--out', path.join(local, 'out-held'))).error).toBeUndefined();
    expect(Buffer.concat(received).equals(readFileSync(path.join(local, 'out-held', names().path('held.hl7'))))).toBe(true);
    // Cut: half the file, then the connection is destroyed once output has come back.
    const before = (await deidEntries()).length;
    const cut = await rawDeid(bytes.length);
    cut.req.write(bytes.subarray(0, half));
    const cutFrames: AsyncIterator<DeidFrame, void> = readDeidFrames(await cut.res)[Symbol.asyncIterator]();
    expect((await cutFrames.next()).value?.kind).toBe('output');
    cut.req.destroy();
    await expect((async (): Promise<void> => {
      for (let f = await cutFrames.next(); f.done !== true; f = await cutFrames.next()) if (f.value.kind === 'trailer') expect(f.value.json).toMatchObject({ ok: false });
    })()).rejects.toThrow();
    // The server finishes on its own time: the entry is recorded, then the spool files are removed.
    const spool = path.join(serverRoot, '.phiguard', 'deid-spool');
    let entries = await deidEntries();
    while (entries.length === before || readdirSync(spool).length > 0) {
      await sleep(100);
      entries = await deidEntries();
    }
    expect(entries.at(-1)).toMatchObject({ outcome: 'failure', details: { filesFailed: 1, format: 'hl7v2' } });
  }, 300_000);

  it('keeps seeded identifiers out of the ledger entries, the server log and the trailer-fed manifest', async () => {
    const input = path.join(data, 'seeded');
    mkdirSync(input, { recursive: true });
    // File names can be PHI too: the route takes it in the query string, logs show only the route pattern.
    writeFileSync(path.join(input, 'Quixote-Smithers.hl7'), SEEDED_HL7);
    writeFileSync(path.join(input, 'note.txt'), 'Patient Jonathan Quixote-Smithers (MRN 99887766, phone 555-123-4567) lives at 12 Elm St.\n');
    expect((await remoteRun('deid', 'hl7v2', path.join(input, 'Quixote-Smithers.hl7'), '--out', path.join(client, 'seeded-hl7'))).error).toBeUndefined();
    expect((await remoteRun('deid', 'text', path.join(input, 'note.txt'), '--out', path.join(client, 'seeded-text'))).error).toBeUndefined();
    const ledger = JSON.stringify(await deidEntries());
    const log = readFileSync(path.join(serverRoot, 'server.log'), 'utf8');
    expect(log).toContain('/v1/deid/');
    for (const seed of SEEDS) {
      expect(ledger).not.toContain(seed);
      expect(log).not.toContain(seed);
      for (const dir of ['seeded-hl7', 'seeded-text']) expect(readFileSync(path.join(client, dir, 'deid-manifest.json'), 'utf8')).not.toContain(seed);
    }
    // The spool is emptied once each answer is sent.
    expect(readdirSync(path.join(serverRoot, '.phiguard', 'deid-spool'))).toEqual([]);
  }, 120_000);
});

/** A raw `POST /v1/deid/hl7v2?bytes=N` whose body the test writes itself (an access token from the stored session). */
async function rawDeid(size: number): Promise<{ req: import('node:http').ClientRequest; res: Promise<IncomingMessage> }> {
  const ca = readFileSync(login.ca);
  const token = await new Promise<string>((resolve, reject) => {
    const req = https.request(`${url}/v1/auth/token`, { method: 'POST', ca, headers: { authorization: `Bearer ${login.sessionToken}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => {
        resolve((JSON.parse(body) as { accessToken: string }).accessToken);
      });
    });
    req.on('error', reject);
    req.end();
  });
  const query = new URLSearchParams({ profile: 'safe-harbor', name: 'held.hl7', bytes: String(size) });
  let req: import('node:http').ClientRequest | undefined;
  const res = new Promise<IncomingMessage>((resolve, reject) => {
    req = https.request(`${url}/v1/deid/hl7v2?${query.toString()}`, { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'HOPERAT', accept: 'application/vnd.phiguard.deid', 'content-type': 'application/octet-stream' } }, resolve);
    req.on('error', reject);
  });
  res.catch(() => undefined);
  if (req === undefined) throw new TypeError('https.request returns its request');
  return { req, res };
}

/** Corpus messages and a seeded one, repeated to BIG_MB; message BROKEN_MESSAGE has a bad MSH-2 (on line brokenLine).
 * Sized `mb` MiB. */
function generateHl7(file: string, mb: number): { messages: number; brokenLine: number } {
  const corpusMessages = readdirSync(path.join(corpus, 'hl7v2-msft-fhir-converter')).slice(0, 12).map((f) => readFileSync(path.join(corpus, 'hl7v2-msft-fhir-converter', f), 'latin1').replace(/\r?\n/g, '\r').replace(/\r*$/, '\r')).filter((m) => m.startsWith('MSH|^~\\&|') && m.indexOf('MSH|', 1) < 0);
  const pool = [SEEDED_HL7, ...corpusMessages];
  const fd = openSync(file, 'w');
  let bytes = 0;
  let n = 0;
  let lines = 0;
  let brokenLine = 0;
  try {
    while (bytes < mb * 2 ** 20) {
      n++;
      const m = pool[n % pool.length] ?? SEEDED_HL7;
      if (n === BROKEN_MESSAGE) brokenLine = lines + 1;
      lines += m.split('\r').length - 1;
      bytes += writeSync(fd, n === BROKEN_MESSAGE ? m.replace('MSH|^~\\&|', 'MSH|^^\\&|') : m, null, 'latin1');
    }
  } finally {
    closeSync(fd);
  }
  return { messages: n, brokenLine };
}
