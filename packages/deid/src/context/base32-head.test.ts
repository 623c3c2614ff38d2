import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase32 } from '@phiguard/core';
import { base32Head } from './base32-head.ts';

describe('base32Head', () => {
  it('is the head followed by the first characters of the whole upper-case Crockford base32', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 51 }), fc.stringMatching(/^([A-Z][A-Z0-9]{0,7}-)?$/), (bytes, chars, head) => {
        expect(base32Head(bytes, chars, head)).toBe(head + encodeBase32(bytes).slice(0, chars).toUpperCase());
      }),
      { numRuns: 500 },
    );
  });
});
