import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEntry } from './ledger-store.ts';
import { packBatch, resourceKeys } from './pack-batch.ts';

const token = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/);
const entry = (index: number): fc.Arbitrary<StoredEntry> =>
  fc.record({
    index: fc.constant(index),
    leaf: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    actorId: token,
    action: token,
    time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    resources: fc.array(fc.record({ type: token, id: token }), { maxLength: 3 }),
  });

describe('packBatch', () => {
  it('packs leaves and tiles into one buffer each with offsets, columns newline-joined (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => entry(i)))),
        fc.array(fc.uint8Array({ maxLength: 8192 }).map((b) => ({ level: 0, index: 0, hashes: Buffer.from(b) })), { maxLength: 3 }),
        (entries, tiles) => {
          const p = packBatch({ entries, tiles });
          expect(p.leafOffsets.length).toBe(entries.length + 1);
          entries.forEach((e, i) => {
            expect(p.leaves.subarray(p.leafOffsets[i], p.leafOffsets[i + 1]).equals(e.leaf)).toBe(true);
          });
          tiles.forEach((t, i) => {
            expect(p.tiles.subarray(p.tileOffsets[i], p.tileOffsets[i + 1]).equals(t.hashes)).toBe(true);
          });
          if (entries.length > 0) {
            expect(p.actorIds.split('\n')).toEqual(entries.map((e) => e.actorId));
            expect(p.actions.split('\n')).toEqual(entries.map((e) => e.action));
            expect(p.times.split('\n')).toEqual(entries.map((e) => e.time));
            expect(p.resourceKeys.split('\n').map((k) => (k === '' ? [] : k.split('\t')))).toEqual(entries.map((e) => resourceKeys(e.resources)));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a value holding a separator (it would shift the later columns)', () => {
    const e: StoredEntry = { index: 0, leaf: Buffer.from('x'), actorId: 'usr_1', action: 'a.b', time: '2026-01-01T00:00:00Z', resources: [] };
    expect(() => packBatch({ entries: [{ ...e, actorId: 'a\nb' }], tiles: [] })).toThrow(TypeError);
    expect(() => packBatch({ entries: [{ ...e, action: 'a\tb' }], tiles: [] })).toThrow(TypeError);
    expect(() => packBatch({ entries: [{ ...e, resources: [{ type: 'x|y', id: '1' }] }], tiles: [] })).toThrow(TypeError);
    expect(() => packBatch({ entries: [{ ...e, resources: [{ type: 'x', id: '1' }, { type: 'y', id: 'a\tb' }] }], tiles: [] })).toThrow(TypeError);
  });

  it('gives each resource its type+id, type and id keys once', () => {
    expect(resourceKeys([{ type: 'dataset', id: 'ds_1' }])).toEqual(['r|dataset|ds_1', 't|dataset', 'i|ds_1']);
    expect(resourceKeys([{ type: 'dataset', id: 'ds_1' }, { type: 'dataset', id: 'ds_2' }])).toEqual(['r|dataset|ds_1', 't|dataset', 'i|ds_1', 'r|dataset|ds_2', 'i|ds_2']);
    expect(resourceKeys([])).toEqual([]);
  });
});
