import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@phiguard/core';
import { CheckpointKeyring } from '../checkpoint/checkpoint-keyring.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../checkpoint/note-keys.ts';
import { decodeEntryBundlePrefix, encodeEntryBundle } from './entry-bundle.ts';
import { exportTiles } from './export-tiles.ts';
import { folderTileLogReader } from './folder-tile-log-reader.ts';
import { MemoryTileLog } from './memory-tile-log.ts';
import { entryBundlePath, TILE_WIDTH } from './tile-paths.ts';
import { verifyLog } from './verify-log.ts';

const ORIGIN = 'phiguard.example/ledger';
const key = generateSignerKey(ORIGIN);
const signer = parseSignerKey(key.signerKey);
const verifier = parseVerifierKey(key.verifierKey);
const workDir = mkdtempSync(path.join(tmpdir(), 'phiguard-tiles-'));
let folders = 0;
const newFolder = (): string => path.join(workDir, String(folders++));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** A log of `entries`, appended in batches of `batch` (small batches exercise many appends). */
async function logOf(entries: readonly Uint8Array[], batch = 97): Promise<MemoryTileLog> {
  const log = await MemoryTileLog.create(ORIGIN, [signer]);
  for (let i = 0; i < entries.length; i += batch) log.append(entries.slice(i, i + batch));
  return log;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** The first index where two entry lists differ, or the shorter length; undefined when equal. */
function firstDifference(a: readonly Uint8Array[], b: readonly Uint8Array[]): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Buffer.from(a[i]!).equals(b[i]!)) return i;
  return a.length === b.length ? undefined : n;
}

const entryArb = fc.uint8Array({ maxLength: 24 });
/** Logs of 1..1200 entries (so several bundles and a level-1 tile), entries of 0..24 bytes, empty ones included. */
const logArb = fc.record({ n: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1200 })), seed: fc.nat() }).map(({ n, seed }) =>
  Array.from({ length: n }, (_, i) => {
    const h = createHash('sha256').update(`${seed}/${i}`).digest();
    return h.subarray(1, 1 + (h[0]! % 25));
  }),
);

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

describe('exportTiles + folderTileLogReader + verifyLog', () => {
  it('streams: at most readAhead + 1 bundle reads in flight, each of at most 256 entries', async () => {
    const log = await logOf(Array.from({ length: 5000 }, (_, i) => Buffer.from(`s${i}`)));
    let inFlight = 0;
    let maxInFlight = 0;
    let maxCount = 0;
    const reader = {
      readCheckpoint: () => log.readCheckpoint(),
      getTile: (l: number, i: number) => log.getTile(l, i),
      readEntries: async (from: number, count: number) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxCount = Math.max(maxCount, count);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return log.readEntries(from, count);
      },
    };
    let progress = 0;
    const report = await verifyLog(reader, [verifier], { readAhead: 3, onProgress: (done) => (progress = done) });
    expect(report).toMatchObject({ ok: true, size: 5000 });
    expect(progress).toBe(5000);
    expect(maxCount).toBeLessThanOrEqual(TILE_WIDTH);
    expect(maxInFlight).toBeLessThanOrEqual(4);
  });

  it('a log signed across a key rotation verifies with both public keys; a retired key alone is refused', async () => {
    const next = generateSignerKey(ORIGIN);
    const clock = new ManualClock(Date.UTC(2026, 10, 24));
    const ring = new CheckpointKeyring({ clock, current: signer, overlapMs: 60_000 });
    const log = await MemoryTileLog.create(ORIGIN, ring);
    const both = [verifier, parseVerifierKey(next.verifierKey)];
    const onlyNew = [parseVerifierKey(next.verifierKey)];
    const dir = newFolder();
    const stage = async (n: number): Promise<void> => {
      log.append(Array.from({ length: n }, (_, i) => Buffer.from(`r${log.size + i}`)));
      await exportTiles(log, dir, { durable: false, verifiers: both });
    };
    await stage(300); // old key only
    expect(await verifyLog(folderTileLogReader(dir), both)).toMatchObject({ ok: true, size: 300 });
    expect(await verifyLog(folderTileLogReader(dir), onlyNew)).toMatchObject({ ok: false, reason: 'checkpoint-signature' });
    ring.rotate(parseSignerKey(next.signerKey));
    await stage(300); // overlap: both keys sign
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: true, size: 600 });
    expect(await verifyLog(folderTileLogReader(dir), onlyNew)).toMatchObject({ ok: true, size: 600 });
    clock.advance(60_000);
    await stage(300); // new key only
    expect(await verifyLog(folderTileLogReader(dir), both)).toMatchObject({ ok: true, size: 900 });
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: false, reason: 'checkpoint-signature' });
  });

  it('never puts entry content in a report (seeded identifier)', async () => {
    const seeded = 'Zebulon Quixote 1931-02-03';
    const entries = Array.from({ length: 300 }, (_, i) => Buffer.from(`${seeded} ${i}`));
    const dir = newFolder();
    await exportTiles(await logOf(entries), dir, { durable: false });
    const bundle = path.join(dir, entryBundlePath(0, TILE_WIDTH));
    writeFileSync(bundle, Buffer.from(readFileSync(bundle).toString('latin1').replace(`${seeded} 5`, `${seeded} 6`), 'latin1'));
    const report = await verifyLog(folderTileLogReader(dir), [verifier]);
    expect(report).toMatchObject({ ok: false, firstBadIndex: 5, reason: 'entry-hash-mismatch' });
    expect(JSON.stringify(report)).not.toContain('Zebulon');
    writeFileSync(bundle, Buffer.alloc(3, 0xff));
    expect(JSON.stringify(await verifyLog(folderTileLogReader(dir), [verifier]))).not.toContain('Zebulon');
  });

  it('checks that the log extends an earlier checkpoint the auditor holds', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => Buffer.from(`h${i}`));
    const log = await logOf(entries.slice(0, 300));
    const at300 = await verifyLog(log, [verifier]);
    if (!at300.ok) throw new Error('setup');
    log.append(entries.slice(300));
    for (const size of [0, 1, 255, 256, 300, 1000]) {
      const earlier = await verifyLog(await logOf(entries.slice(0, size)), [verifier]);
      if (!earlier.ok) throw new Error('setup');
      expect(await verifyLog(log, [verifier], { previous: earlier })).toMatchObject({ ok: true, size: 1000 });
    }
    // History rewritten: entry 7 differs in a re-signed log of the same key.
    const rewritten = await logOf(entries.map((e, i) => (i === 7 ? Buffer.from('rewritten') : e)));
    expect(await verifyLog(rewritten, [verifier], { previous: at300 })).toMatchObject({ ok: false, reason: 'history-mismatch' });
    expect(await verifyLog(await logOf(entries.slice(0, 299)), [verifier], { previous: at300 })).toMatchObject({ ok: false, reason: 'history-mismatch' });
  });

  it('exports the C2SP layout and the folder verifies, from memory and from disk', async () => {
    const entries = Array.from({ length: 600 }, (_, i) => Buffer.from(`event ${i}`));
    const log = await logOf(entries);
    const dir = newFolder();
    const first = await exportTiles(log, dir, { verifiers: [verifier] });
    expect(first).toEqual({ size: 600, written: 3 + 1 + 3, skipped: 0 });
    const names = files(dir).map((f) => path.relative(dir, f)).sort();
    expect(names).toEqual(['checkpoint', 'tile/0/000', 'tile/0/001', 'tile/0/002.p/88', 'tile/1/000.p/2', 'tile/entries/000', 'tile/entries/001', 'tile/entries/002.p/88']);
    expect(readFileSync(path.join(dir, 'checkpoint'), 'utf8')).toBe(await log.readCheckpoint());
    const fromMemory = await verifyLog(log, [verifier], { origin: ORIGIN });
    const fromDisk = await verifyLog(folderTileLogReader(dir), [verifier], { origin: ORIGIN });
    expect(fromMemory.ok && fromDisk.ok && fromDisk.size === 600 && fromDisk.root.equals(fromMemory.root)).toBe(true);

    // Incremental: the grown log adds only new resources; old partials stay and are harmless.
    log.append(entries.slice(0, 100).map((e) => Buffer.concat([e, Buffer.from('+')])));
    const second = await exportTiles(log, dir);
    expect(second.size).toBe(700);
    expect(second.skipped).toBe(3 + 2); // tiles 0/000, 0/001, 1/000.p/2; bundles 000, 001
    expect((await verifyLog(folderTileLogReader(dir), [verifier])).ok).toBe(true);
    // A folder never moves backwards.
    const older = await logOf(entries.slice(0, 10));
    await expect(exportTiles(older, dir)).rejects.toMatchObject({ code: 'stale-checkpoint' });
  });

  it('verifies the empty log and refuses a checkpoint from an untrusted key or another origin', async () => {
    const empty = await logOf([]);
    expect(await verifyLog(empty, [verifier])).toMatchObject({ ok: true, size: 0 });
    const other = parseVerifierKey(generateSignerKey(ORIGIN).verifierKey);
    expect(await verifyLog(empty, [other])).toMatchObject({ ok: false, reason: 'checkpoint-signature', firstBadIndex: undefined });
    expect(await verifyLog(empty, [verifier], { origin: 'elsewhere' })).toMatchObject({ ok: false, reason: 'checkpoint-origin' });
  });

  it('detects a swapped checkpoint (another log, same key) and a missing tile or bundle', async () => {
    const a = await logOf(Array.from({ length: 300 }, (_, i) => Buffer.from(`a${i}`)));
    const b = await logOf(Array.from({ length: 300 }, (_, i) => Buffer.from(`b${i}`)));
    const dir = newFolder();
    await exportTiles(a, dir);
    writeFileSync(path.join(dir, 'checkpoint'), await b.readCheckpoint());
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: false, reason: 'root-mismatch' });
    const bigger = await logOf(Array.from({ length: 301 }, (_, i) => Buffer.from(`a${i}`)));
    writeFileSync(path.join(dir, 'checkpoint'), await bigger.readCheckpoint());
    // The folder lacks entry 300, which the larger checkpoint claims.
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: false, reason: 'entry-count', firstBadIndex: 300 });
    writeFileSync(path.join(dir, 'checkpoint'), await a.readCheckpoint());
    rmSync(path.join(dir, 'tile/1/000.p/1'));
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: false, reason: 'missing-tile', firstBadIndex: 0 });
    await exportTiles(a, dir);
    rmSync(path.join(dir, entryBundlePath(1, 44)));
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: false, reason: 'entry-count', firstBadIndex: 256 });
  });

  it('detects any single changed, dropped, reordered or inserted entry with the right first bad index', async () => {
    await fc.assert(
      fc.asyncProperty(
        logArb,
        fc.constantFrom('change', 'drop', 'swap', 'insert'),
        fc.nat(),
        fc.nat(),
        entryArb,
        async (entries, op, x, y, extra) => {
          const log = await logOf(entries);
          const dir = newFolder();
          await exportTiles(log, dir, { durable: false });
          const tampered = entries.map((e) => Buffer.from(e));
          const i = x % entries.length;
          const j = y % entries.length;
          if (op === 'change') tampered[i] = Buffer.concat([tampered[i]!, Buffer.from([y % 256])]);
          if (op === 'drop') tampered.splice(i, 1);
          if (op === 'swap') [tampered[i], tampered[j]] = [tampered[j]!, tampered[i]!];
          if (op === 'insert') tampered.splice(x % (entries.length + 1), 0, Buffer.from(extra));
          // Rewrite the bundles with the tampered entries, keeping the file names of the export.
          const bundles = Math.ceil(entries.length / TILE_WIDTH);
          for (let b = 0; b < bundles; b++) {
            const width = Math.min(TILE_WIDTH, entries.length - b * TILE_WIDTH);
            const slice = b === bundles - 1 ? tampered.slice(b * TILE_WIDTH) : tampered.slice(b * TILE_WIDTH, (b + 1) * TILE_WIDTH);
            writeFileSync(path.join(dir, entryBundlePath(b, width)), encodeEntryBundle(slice));
          }
          const report = await verifyLog(folderTileLogReader(dir), [verifier]);
          const expected = firstDifference(entries, tampered);
          if (expected === undefined) expect(report.ok).toBe(true);
          else expect(report).toMatchObject({ ok: false, firstBadIndex: expected });
        },
      ),
      { numRuns: RUNS ?? 120 },
    );
  });

  it('detects any single changed, inserted or deleted byte of any file with the right first bad index', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.nat(), tamperArb, async (entries, which, tamper) => {
        const dir = newFolder();
        await exportTiles(await logOf(entries), dir, { durable: false });
        const all = files(dir).sort();
        await tamperAndCheck(dir, entries, path.relative(dir, all[which % all.length]!), tamper);
      }),
      { numRuns: RUNS ?? 150 },
    );
  });

  it('does the same on a log of 66,000 entries (full level-1 tile, level-2 partial)', async () => {
    const entries = Array.from({ length: 66_000 }, (_, i) => Buffer.from(`e${i % 5000}`));
    const dir = newFolder();
    await exportTiles(await logOf(entries, 6000), dir, { durable: false });
    const all = files(dir).map((f) => path.relative(dir, f));
    expect(all).toContain('tile/1/000');
    expect(all).toContain('tile/2/000.p/1');
    // One random single-byte tamper of each file that only a big log has (each verify reads all 66,000 entries).
    const interesting = ['tile/1/000', 'tile/1/001.p/1', 'tile/2/000.p/1', 'tile/0/257.p/208', 'tile/entries/257.p/208', 'tile/entries/100'];
    const tampers = fc.sample(tamperArb, interesting.length);
    for (const [k, rel] of interesting.entries()) await tamperAndCheck(dir, entries, rel, tampers[k]!);
  });
});

interface Tamper {
  readonly op: 'flip' | 'insert' | 'delete';
  readonly where: number;
  readonly value: number;
}
const tamperArb: fc.Arbitrary<Tamper> = fc.record({ op: fc.constantFrom('flip', 'insert', 'delete'), where: fc.nat(), value: fc.integer({ min: 1, max: 255 }) });

/**
 * Changes one byte of one exported file, runs verifyLog and checks it names the right first bad
 * leaf: for a bundle, the first item (entry, or undecodable tail) that differs from the
 * original entries; for a hash tile, the first leaf under the first hash that differs (or
 * `malformed-tile` when only bytes beyond the hashes changed); for the checkpoint, none.
 * Then puts the file back.
 */
async function tamperAndCheck(dir: string, entries: readonly Uint8Array[], rel: string, { op, where, value }: Tamper): Promise<void> {
  const file = path.join(dir, rel);
  const before = readFileSync(file);
  const at = where % (before.length + (op === 'insert' ? 1 : 0));
  if (before.length === 0 && op !== 'insert') return;
  const after =
    op === 'flip'
      ? Buffer.from(before.map((v, k) => (k === at ? v ^ value : v)))
      : op === 'insert'
        ? Buffer.concat([before.subarray(0, at), Buffer.from([value]), before.subarray(at)])
        : Buffer.concat([before.subarray(0, at), before.subarray(at + 1)]);
  writeFileSync(file, after);
  try {
    const report = await verifyLog(folderTileLogReader(dir), [verifier]);
    expect(report.ok).toBe(false);
    if (report.ok) return;
    if (rel === 'checkpoint') {
      expect(report.firstBadIndex).toBeUndefined();
    } else if (rel.startsWith('tile/entries/')) {
      const b = tileIndexOf(rel.split('/').slice(2));
      const original = entries.slice(b * TILE_WIDTH, (b + 1) * TILE_WIDTH);
      // The bundle's items as stored: whole entries, then any undecodable tail as one item.
      const { entries: whole, complete, rest } = decodeEntryBundlePrefix(after);
      const decoded = complete ? whole : [...whole, rest];
      expect(report.firstBadIndex).toBe(b * TILE_WIDTH + firstDifference(original, decoded)!);
    } else {
      const [, level, ...rest] = rel.split('/');
      const L = Number(level);
      const index = tileIndexOf(rest);
      let p = 0;
      while (p * 32 < before.length && before.subarray(p * 32, p * 32 + 32).equals(after.subarray(p * 32, p * 32 + 32))) p++;
      if (p * 32 >= before.length) expect(report).toMatchObject({ reason: 'malformed-tile', firstBadIndex: undefined });
      else expect(report.firstBadIndex).toBe((index * TILE_WIDTH + p) * TILE_WIDTH ** L);
    }
  } finally {
    writeFileSync(file, before);
  }
}

/** Parses `<N>` path elements (`x001`, `234`, and an optional `.p/<W>` tail). */
function tileIndexOf(parts: readonly string[]): number {
  const digits = parts
    .map((p) => p.replace(/\.p$/u, ''))
    .filter((p, k, arr) => !(k === arr.length - 1 && parts[k - 1]?.endsWith('.p')))
    .map((p) => p.replace(/^x/u, ''))
    .join('');
  return Number(digits);
}
