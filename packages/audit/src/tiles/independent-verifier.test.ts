// Cross-checks against independent Python code written from the specifications alone
// (RFC 9162 §2.1, C2SP signed-note, tlog-checkpoint, tlog-tiles), using Debian's
// python3-cryptography for Ed25519: fixtures/tlog_verify.py checks what exportTiles writes,
// fixtures/tlog_write.py writes a folder that folderTileLogReader + verifyLog must accept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../checkpoint/note-keys.ts';
import { leafHash } from '../merkle/hashes.ts';
import { inclusionProof, verifyInclusion } from '../merkle/proofs.ts';
import { exportTiles } from './export-tiles.ts';
import { folderTileLogReader } from './folder-tile-log-reader.ts';
import { MemoryTileLog } from './memory-tile-log.ts';
import { tileNodeReader } from './tile-node-reader.ts';
import { entryBundlePath, TILE_WIDTH } from './tile-paths.ts';
import { TreeBuilder } from './tree-builder.ts';
import { verifyLog } from './verify-log.ts';

const script = path.join(import.meta.dirname, 'fixtures/tlog_verify.py');
const writer = path.join(import.meta.dirname, 'fixtures/tlog_write.py');
const key = generateSignerKey('phiguard.example/ledger');
const workDir = mkdtempSync(path.join(tmpdir(), 'phiguard-pyverify-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function pythonVerify(dir: string): { ok: boolean; size?: number; root?: string; error?: string } {
  const run = spawnSync('/usr/bin/python3', [script, dir, key.verifierKey], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`python verifier failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { ok: boolean; size?: number; root?: string; error?: string };
}

describe('an independent Python verifier accepts what exportTiles writes', () => {
  it.each([1, 255, 256, 257, 1000, 66_000])('a log of %i entries', async (size) => {
    const log = await MemoryTileLog.create('phiguard.example/ledger', [parseSignerKey(key.signerKey)]);
    for (let i = 0; i < size; i += 5000) log.append(Array.from({ length: Math.min(5000, size - i) }, (_, j) => Buffer.from(`{"n":${i + j}}`)));
    const dir = path.join(workDir, String(size));
    await exportTiles(log, dir, { durable: false });
    const checkpointRoot = (await log.readCheckpoint()).split('\n')[2];
    expect(pythonVerify(dir)).toEqual({ ok: true, size, root: checkpointRoot });
    // The cross-check can fail: one changed byte in the last bundle is refused by Python too.
    const lastBundle = Math.floor((size - 1) / TILE_WIDTH);
    const last = path.join(dir, entryBundlePath(lastBundle, size - lastBundle * TILE_WIDTH));
    const bytes = readFileSync(last);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(last, bytes);
    expect(pythonVerify(dir).ok).toBe(false);
  });
});

describe('PHIGuard reads and verifies a folder an independent Python writer made', () => {
  it.each([1, 256, 70_000])('a log of %i entries', async (size) => {
    const dir = path.join(workDir, `py-${size}`);
    const run = spawnSync('/usr/bin/python3', [writer, dir, key.signerKey, 'phiguard.example/ledger', String(size)], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    const reader = folderTileLogReader(dir);
    const report = await verifyLog(reader, [parseVerifierKey(key.verifierKey)], { origin: 'phiguard.example/ledger' });
    expect(report).toMatchObject({ ok: true, size });
    if (!report.ok) return;
    // Proofs computed from the Python tiles verify against the Python-signed root.
    for (const index of [0, Math.floor(size / 2), size - 1]) {
      const proof = await inclusionProof(index, size, tileNodeReader(reader));
      expect(verifyInclusion(leafHash(Buffer.from(`{"n":${index}}`)), index, size, proof, report.root)).toBe(true);
    }
    expect(Buffer.from(await TreeBuilder.open(size, reader).then((b) => b.root)).equals(report.root)).toBe(true);
  });
});
