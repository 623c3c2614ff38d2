// Pins the bytes the append path produces for a fixed event sequence (values computed with the
// code before the append path was optimised): canonical leaves (RFC 8785), leaf hashes
// (RFC 9162 §2.1.1), roots after uneven batches, the tiles (C2SP tlog-tiles) and the store's
// packed parameters. A faster append path must leave every one of them unchanged.
import { createHash, type Hash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '@phiguard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openNote, parseVerifierKey } from '../checkpoint/signed-note.ts';
import { parseCheckpoint } from '../checkpoint/checkpoint.ts';
import { packBatch } from '../store/pack-batch.ts';
import { tilePieces } from '../store/tile-pieces.ts';
import { openPgliteDriver } from '../store/pglite-driver.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { openSqlLedgerStore } from '../store/sql-ledger-store.ts';
import { MemoryTileStore } from '../tiles/memory-tile-store.ts';
import { TreeBuilder } from '../tiles/tree-builder.ts';
import { prepareLeaf, toStoredEntry, type PreparedLeaf } from './audit-leaf.ts';
import { Ledger } from './ledger.ts';
import { pinnedEvent, pinnedTime } from './pinned-events.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

const N = 70_000; // crosses a level-2 tile boundary (65,536 leaves)
const BATCH_SIZES = [1, 2, 3, 255, 256, 257, 1000, 4096, 17];

function digest(feed: (h: Hash) => void): string {
  const h = createHash('sha256');
  feed(h);
  return h.digest('hex');
}

function lengthPrefixed(h: Hash, bytes: Uint8Array): void {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  h.update(len);
  h.update(bytes);
}

let shared: SqlDriver | undefined;
afterAll(async () => {
  await shared?.close();
});

describe('append path bytes (pinned)', () => {
  const leaves: PreparedLeaf[] = Array.from({ length: N }, (_, n) => prepareLeaf(pinnedEvent(n), pinnedTime(n)));

  it('produces the pinned canonical leaves and leaf hashes', () => {
    expect(leaves[1]?.bytes.toString('utf8')).toBe(
      '{"action":"authz.decide","actor":{"id":"usr_00000000000000000000000001","kind":"user"},"details":{"action":"dataset.read","decision":"allow","policies":2,"policy1":"dataset-read-grant","policy2":"purpose-required"},"outcome":"success","purpose":"HRESCH","requestId":"req-1","resources":[{"id":"ds_00000000000000000000000001","type":"dataset"}],"time":"2026-11-24T08:30:00.000Z","v":1}',
    );
    expect(leaves[2]?.bytes.toString('utf8')).toBe(
      '{"action":"job.start","actor":{"id":"node_00000000000000000000000002","kind":"node"},"details":{"alpha":1e+21,"big":9007199254740992,"code":"a.b/c:d-e_f","flag":false,"mid":0.30000000000000004,"small":5e-7,"zeta":0},"outcome":"error","requestId":"123e4567-e89b-12d3-a456-426614174000","resources":[{"id":"job_00000000000000000000000002","type":"job"},{"id":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","type":"model"},{"id":"PSN-100002","type":"patient"}],"time":"2026-11-24T08:30:00.000Z","v":1}',
    );
    expect(leaves[3]?.bytes.toString('utf8')).toBe(
      '{"action":"key.rotate.start","actor":{"id":"ledger.rotation","kind":"system"},"outcome":"failure","reason":"hsm-unavailable","time":"2026-11-24T08:30:00.007Z","v":1}',
    );
    expect(leaves.slice(0, 4).map((l) => l.hash.toString('hex'))).toEqual([
      '9bacdec06b0bc4b6fc13e9f3a512d1eb9d4efb2b1f98bcbcd2847008853fedcc',
      '03064a630dd9244973d1334551e7d2f91ec6fe0f199a8123df6ba517d0d7f4cf',
      '18966475708578decc08c416eac9aacf1b40e331ccd1df712befb42e247b335b',
      'be18439538e75dbfeb9c2982892fc8dbfa3492f38e32f1eebe635f3952df0a93',
    ]);
    expect(digest((h) => { leaves.forEach((l) => { lengthPrefixed(h, l.bytes); }); })).toBe('266ea1a8a2b748a360436983468886e5e001c4b08e45667827a49655ce5f7cd6');
    expect(digest((h) => { leaves.forEach((l) => h.update(l.hash)); })).toBe('b7f9c3130a7134eee2bff50060c2f0eaba4f756073e7c17f1913002cfac6258d');
  });

  it('produces the pinned roots, tiles and packed store parameters over uneven batches', async () => {
    const tree = await TreeBuilder.open(0, new MemoryTileStore());
    const roots: string[] = [];
    const tiles = createHash('sha256');
    const packed = createHash('sha256');
    for (let i = 0, k = 0; i < N; k++) {
      const batch = leaves.slice(i, i + Math.min(BATCH_SIZES[k % BATCH_SIZES.length] ?? 1, N - i));
      const appended = tree.append(batch.map((l) => l.hash));
      roots.push(appended.root.toString('hex'));
      for (const t of appended.dirtyTiles) {
        tiles.update(`${String(t.level)}/${String(t.index)}/${String(t.hashes.length)}:`);
        tiles.update(t.hashes);
      }
      const from = i;
      // What the store sends: each changed tile's new hashes, a completed tile whole (migration 5).
      const pieces = tilePieces(from, appended.dirtyTiles);
      const p = packBatch({ entries: batch.map((l, j) => toStoredEntry(from + j, l)), tiles: pieces });
      packed.update(p.leaves);
      packed.update(JSON.stringify([p.leafOffsets, p.actorIds, p.actions, p.times, p.resourceKeys, p.tileOffsets, pieces.map((t) => t.start)]));
      packed.update(p.tiles);
      i += batch.length;
    }
    expect(roots).toHaveLength(107);
    expect(roots.at(-1)).toBe('f9b05fcfacb75657f122e12f62d548d362f914004900e46e91806084b6ab096c');
    expect(digest((h) => h.update(roots.join('\n')))).toBe('ac41ffc991249ab3f3d1668eff8352e5c4c10991178b90ead900aa91a88dca4f');
    expect(tiles.digest('hex')).toBe('99a6e4797ed457ebd7a1b581cfcb0e5a09ae12b1e00f6c20ebf4fea73881d154');
    expect(packed.digest('hex')).toBe('c322d453953e1be4cac3af4849059eb5d1f0c92e3f42ab7ee5524a6d470fdfc3');
  });

  it('stores the pinned leaves, tiles and root through Ledger.record with concurrent writers', async () => {
    shared ??= await openPgliteDriver(undefined);
    const store = await openSqlLedgerStore({ ...shared, close: () => Promise.resolve() });
    let calls = 0;
    // One clock reading per record(), in call order: event n gets pinnedTime(n).
    const clock: Clock = { now: () => pinnedTime(calls++), nowMs: () => pinnedTime(calls).getTime() };
    const keys = loadOrCreateSignerKeys(mkdtempSync(path.join(tmpdir(), 'ledger-pinned-')), 'pinned.phiguard/audit');
    const ledger = await Ledger.open({ store, signer: checkpointSigner(keys), clock, origin: 'pinned.phiguard/audit', maxBatchSize: 64, maxBatchDelayMs: 0 });
    await Promise.all(Array.from({ length: 600 }, (_, n) => ledger.record(pinnedEvent(n))));
    const stored = await shared.query<{ leaf: Uint8Array }>('SELECT leaf FROM ledger_entries ORDER BY idx');
    expect(digest((h) => { stored.forEach((r) => { lengthPrefixed(h, r.leaf); }); })).toBe('b3345288e6173c71ef641f0e498d953a15d93e53bfe647d7a42634e16d7cd481');
    // The tiles as read back (pieces joined): the rows' split depends on how the concurrent writers were batched.
    const tileKeys = await shared.query<{ level: number; idx: string | number }>('SELECT DISTINCT level, idx FROM ledger_tiles ORDER BY level, idx');
    const tileList = await Promise.all(tileKeys.map(async (t) => ({ ...t, hashes: (await store.getTile(t.level, Number(t.idx))) ?? Buffer.alloc(0) })));
    expect(
      digest((h) => {
        for (const t of tileList) {
          h.update(`${String(t.level)}/${String(t.idx)}/${String(t.hashes.length)}:`);
          h.update(t.hashes);
        }
      }),
    ).toBe('b327ca5d3c9130413c248731cf909749954bdb38544986a40d795f8be8bee3cc');
    const checkpoint = parseCheckpoint(openNote(ledger.head.note, [parseVerifierKey(keys.verifierKey)]).text);
    expect(checkpoint.size).toBe(600);
    expect(checkpoint.root.toString('hex')).toBe('4701e2c42321f453c0f6c271b413caf3c1268245f1d599381fd121b19b300a96');
    await ledger.close();
  });
});
