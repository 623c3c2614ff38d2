import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { decodeEntryBundle, decodeEntryBundlePrefix, encodeEntryBundle, MAX_ENTRY_SIZE } from './entry-bundle.ts';

/** FUZZ_RUNS=100000 runs the property tests long (CI keeps the defaults). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

describe('tlog-tiles entry bundles', () => {
  it('encodes big-endian uint16 length prefixes', () => {
    expect(encodeEntryBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.alloc(258, 1)]).subarray(0, 8)).toEqual(
      Buffer.from([0x00, 0x02, 0x61, 0x62, 0x00, 0x00, 0x01, 0x02]),
    );
  });

  it('decode ∘ encode is identity', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (entries) => {
        expect(decodeEntryBundle(encodeEntryBundle(entries))).toEqual(entries.map((e) => Buffer.from(e)));
      }),
      { numRuns: RUNS ?? 200 },
    );
  });

  it('takes entries up to 65535 bytes and refuses larger ones with a typed error naming the index', () => {
    expect(decodeEntryBundle(encodeEntryBundle([Buffer.alloc(MAX_ENTRY_SIZE, 9)]))[0]).toHaveLength(MAX_ENTRY_SIZE);
    try {
      encodeEntryBundle([Buffer.alloc(1), Buffer.alloc(MAX_ENTRY_SIZE + 1)], 512);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MerkleLogError);
      expect((e as MerkleLogError).code).toBe('entry-too-large');
      expect((e as MerkleLogError).place).toEqual({ index: 513 });
    }
  });

  it('reports where a truncated bundle breaks', () => {
    const bytes = encodeEntryBundle([Buffer.from('abc'), Buffer.from('de')]);
    for (let cut = 0; cut < bytes.length; cut++) {
      const { entries, complete, rest } = decodeEntryBundlePrefix(bytes.subarray(0, cut));
      expect(complete).toBe(cut === 0 || cut === 5);
      expect(entries.length).toBe(cut >= 5 ? 1 : 0);
      expect(rest.length).toBe(cut - (cut >= 5 ? 5 : 0));
    }
    expect(() => decodeEntryBundle(bytes.subarray(0, 6), 256)).toThrow(expect.objectContaining({ code: 'malformed-bundle', place: { index: 257 } }) as Error);
  });
});
