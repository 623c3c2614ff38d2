// Cross-checks exportTiles against an independent verifier written in Python from the
// specifications alone (fixtures/tlog_verify.py: RFC 9162 §2.1, C2SP signed-note,
// tlog-checkpoint, tlog-tiles), using Debian's python3-cryptography for Ed25519.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSignerKey, parseSignerKey } from '../checkpoint/note-keys.ts';
import { exportTiles } from './export-tiles.ts';
import { MemoryTileLog } from './memory-tile-log.ts';
import { entryBundlePath, TILE_WIDTH } from './tile-paths.ts';

const script = path.join(import.meta.dirname, 'fixtures/tlog_verify.py');
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
