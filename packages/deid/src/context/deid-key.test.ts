import { createHmac, createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveHmacKey, deriveSubkey, hmac } from './deid-key.ts';

// RFC 4231 §4 test cases whose data is text (the helper takes UTF-8 parts): 1, 2, 6 and 7.
const RFC_4231 = [
  { key: Buffer.alloc(20, 0x0b), data: 'Hi There', mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { key: Buffer.from('Jefe'), data: 'what do ya want for nothing?', mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { key: Buffer.alloc(131, 0xaa), data: 'Test Using Larger Than Block-Size Key - Hash Key First', mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54' },
  {
    key: Buffer.alloc(131, 0xaa),
    data: 'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

describe('hmac (HMAC-SHA-256 of the parts joined by NUL)', () => {
  it('reproduces the RFC 4231 test vectors with a raw key and with a KeyObject', () => {
    for (const v of RFC_4231) {
      expect(hmac(v.key, v.data).toString('hex')).toBe(v.mac);
      expect(hmac(createSecretKey(v.key), v.data).toString('hex')).toBe(v.mac);
    }
  });

  it('equals createHmac over the NUL-joined UTF-8 parts for random keys and parts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 150 }), fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { minLength: 1, maxLength: 4 }), (key, parts) => {
        const expected = createHmac('sha256', key).update(Buffer.from(parts.join('\0'), 'utf8')).digest('hex');
        expect(hmac(key, ...parts).toString('hex')).toBe(expected);
        expect(hmac(createSecretKey(key), ...parts).toString('hex')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('deriveHmacKey keys the same MAC as the derived subkey bytes, one subkey per purpose', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ maxLength: 30 }), (secret, value) => {
        const a = hmac(deriveHmacKey(secret, 'pseudonym'), 'system', value);
        expect(a).toEqual(hmac(deriveSubkey(secret, 'pseudonym'), 'system', value));
        expect(a).not.toEqual(hmac(deriveHmacKey(secret, 'date-shift'), 'system', value));
      }),
      { numRuns: 100 },
    );
  });
});
