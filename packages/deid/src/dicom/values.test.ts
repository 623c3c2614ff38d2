import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiOf } from './values.ts';

describe('asciiOf', () => {
  it('property: trailing NUL/space padding and leading spaces go, as PS3.5 §6.2 pads values; the rest is kept byte for byte', () => {
    const byte = fc.oneof(fc.constantFrom(0x00, 0x20, 0x41, 0x5c), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }).chain((a) => fc.array(byte, { maxLength: 40 }).map((b) => Uint8Array.from([...a, ...b]))),
        (value) => {
          const expected = Buffer.from(value)
            .toString('latin1')
            .replace(/[\0 ]+$/, '')
            .replace(/^ +/, '');
          expect(asciiOf({ tag: 0x00080060, vr: 'CS', value, undefinedLength: false, offset: 0 })).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
