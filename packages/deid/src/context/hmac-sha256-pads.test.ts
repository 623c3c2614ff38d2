import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256Pads, SHORT_MESSAGE_UNITS } from './hmac-sha256-pads.ts';
import { deriveHmacKey, deriveSubkey, hmac } from './deid-key.ts';

const reference = (key: Uint8Array, message: string): string => createHmac('sha256', key).update(message, 'utf8').digest('hex');
const runs = Number(process.env.FUZZ_RUNS ?? 300);

describe('HmacSha256Pads (RFC 2104 from precomputed pad states)', () => {
  it('equals createHmac for every message length up to the limit (one, two and three blocks)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
    const pads = new HmacSha256Pads(key);
    for (let n = 0; n <= SHORT_MESSAGE_UNITS; n++) {
      const ascii = 'a1\0'.repeat(n).slice(0, n);
      expect(pads.mac(ascii).toString('hex')).toBe(reference(key, ascii));
      const wide = 'é€😀'.repeat(n).slice(0, n); // 2-, 3- and 4-byte UTF-8, a lone surrogate at a cut
      expect(pads.mac(wide).toString('hex')).toBe(reference(key, wide));
    }
  });

  it('equals createHmac for random keys (shorter and longer than a block) and random strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 150 }), fc.string({ unit: 'binary', maxLength: SHORT_MESSAGE_UNITS }), (key, message) => {
        expect(new HmacSha256Pads(key).mac(message).toString('hex')).toBe(reference(key, message));
      }),
      { numRuns: runs },
    );
  });

  it('refuses a long message rather than truncating it', () => {
    expect(() => new HmacSha256Pads(new Uint8Array(32)).mac('x'.repeat(SHORT_MESSAGE_UNITS + 1))).toThrow(RangeError);
  });

  it('hmac() with a derived key gives createHmac over the subkey, short and long messages alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(fc.string({ unit: 'grapheme', maxLength: 90 }), { minLength: 1, maxLength: 3 }), (secret, parts) => {
        const expected = reference(deriveSubkey(secret, 'pseudonym-for'), parts.join('\0'));
        expect(hmac(deriveHmacKey(secret, 'pseudonym-for'), ...parts).toString('hex')).toBe(expected);
      }),
      { numRuns: runs },
    );
  });
});
