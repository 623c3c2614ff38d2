import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uint64Mod } from './uint64-mod.ts';

describe('uint64Mod', () => {
  it('equals the BigInt remainder of the first 8 bytes, big-endian', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 32 }), fc.oneof(fc.integer({ min: 1, max: 7300 }), fc.integer({ min: 1, max: 2 ** 26 })), (bytes, m) => {
        const buf = Buffer.from(bytes);
        expect(uint64Mod(buf, m)).toBe(Number(buf.readBigUInt64BE(0) % BigInt(m)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact at the edges (all ones, all zeros, powers of two)', () => {
    for (const hex of ['ffffffffffffffff', '0000000000000000', '8000000000000000', '00000000ffffffff', 'fffffffe00000001']) {
      const buf = Buffer.from(hex, 'hex');
      for (const m of [1, 2, 7, 730, 7300, 2 ** 26 - 1, 2 ** 26]) expect(uint64Mod(buf, m)).toBe(Number(buf.readBigUInt64BE(0) % BigInt(m)));
    }
  });
});
