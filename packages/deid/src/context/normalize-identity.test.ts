import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPrintableAscii, normalSystem, normalValue, normalizeIdentity } from './normalize-identity.ts';
import { DeidError } from './deid-error.ts';

// The full normal form (docs/deid/patient-context.md), as it was written before the fast path.
const fullSystem = (s: string): string => s.normalize('NFC').trim().toLowerCase();
const fullValue = (s: string): string => s.normalize('NFC').replace(/\s+/gu, '').toUpperCase();

// Identifiers as they come (printable ASCII), with white space and controls, and any Unicode.
const anyText = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
  fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\v', '\f', '\r', '\x00', '\x7f', 'a', 'Z', '9', '-', '\u00a0', '\ufeff', '\u2028', 'e\u0301', '\u00e9') }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);

describe('normal form of an identity', () => {
  it('the printable-ASCII fast path is the identity of NFC, trim and white-space removal', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]*$/), (s) => {
        expect(isPrintableAscii(s)).toBe(true);
        expect(s.normalize('NFC')).toBe(s);
        expect(s.trim()).toBe(s);
        expect(s.replace(/\s+/gu, '')).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('isPrintableAscii is false for any string with a character outside U+0021-U+007E', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(isPrintableAscii(s)).toBe(/^[\x21-\x7e]*$/.test(s));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the full normal form for any system and value', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(normalSystem(s)).toBe(fullSystem(s));
        expect(normalValue(s)).toBe(fullValue(s));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses empty and NUL-holding identities whatever path they take', () => {
    expect(() => normalizeIdentity({ system: 'mrn', value: ' \t' })).toThrow(DeidError);
    expect(() => normalizeIdentity({ system: '\u00a0', value: 'X' })).toThrow(DeidError);
    expect(() => normalizeIdentity({ system: 'mrn', value: 'A\0B' })).toThrow(DeidError);
    expect(normalizeIdentity({ system: ' MRN^Hosp ', value: ' ab 12\u00a0' })).toEqual({ system: 'mrn^hosp', value: 'AB12' });
  });
});
