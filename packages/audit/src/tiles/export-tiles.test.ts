import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../checkpoint/note-keys.ts';
import { exportTiles } from './export-tiles.ts';
import { folderTileLogReader } from './folder-tile-log-reader.ts';
import { MemoryTileLog } from './memory-tile-log.ts';
import type { TileLogReader } from './tile-store.ts';
import { verifyLog } from './verify-log.ts';

const key = generateSignerKey('phiguard.example/ledger');
const signer = parseSignerKey(key.signerKey);
const verifier = parseVerifierKey(key.verifierKey);
const workDir = mkdtempSync(path.join(tmpdir(), 'phiguard-export-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** A reader that fails after `budget` reads of entries or tiles: an export that crashes half way. */
function failingAfter(inner: TileLogReader, budget: number): TileLogReader {
  let left = budget;
  const spend = (): void => {
    if (left-- <= 0) throw new Error('simulated crash');
  };
  return {
    readCheckpoint: () => inner.readCheckpoint(),
    getTile: async (l, i) => {
      spend();
      return inner.getTile(l, i);
    },
    readEntries: async (f, c) => {
      spend();
      return inner.readEntries(f, c);
    },
  };
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describe('exportTiles crash safety', () => {
  it('an interrupted export never leaves a checkpoint claiming what is not there; a rerun completes it', async () => {
    const log = await MemoryTileLog.create('phiguard.example/ledger', [signer]);
    log.append(Array.from({ length: 900 }, (_, i) => Buffer.from(`event ${i}`)));
    const dir = path.join(workDir, 'crash');
    // 9 resources: each run writes `budget` more, then crashes.
    for (const budget of [0, 1, 2, 4]) {
      await expect(exportTiles(failingAfter(log, budget), dir, { concurrency: 1 })).rejects.toThrow('simulated crash');
      expect(existsSync(path.join(dir, 'checkpoint'))).toBe(false);
      expect(allFiles(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    }
    await exportTiles(log, dir);
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: true, size: 900 });

    // The log grows; an export of the grown log crashes: the folder still verifies at its old size.
    log.append(Array.from({ length: 700 }, (_, i) => Buffer.from(`later ${i}`)));
    const old = readFileSync(path.join(dir, 'checkpoint'), 'utf8');
    await expect(exportTiles(failingAfter(log, 4), dir, { concurrency: 1 })).rejects.toThrow('simulated crash');
    expect(readFileSync(path.join(dir, 'checkpoint'), 'utf8')).toBe(old);
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: true, size: 900 });
    await exportTiles(log, dir, { onProgress: () => undefined });
    expect(await verifyLog(folderTileLogReader(dir), [verifier])).toMatchObject({ ok: true, size: 1600 });
  });

  it('refuses to publish a checkpoint that does not verify, when given the trusted keys', async () => {
    const other = parseVerifierKey(generateSignerKey('phiguard.example/ledger').verifierKey);
    const log = await MemoryTileLog.create('phiguard.example/ledger', [signer]);
    log.append([Buffer.from('x')]);
    const dir = path.join(workDir, 'untrusted');
    await expect(exportTiles(log, dir, { verifiers: [other] })).rejects.toMatchObject({ code: 'unverified-note' });
    expect(existsSync(path.join(dir, 'checkpoint'))).toBe(false);
  });
});
