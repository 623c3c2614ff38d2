import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISO_DATE, digitsOf, isoDateDayAt, isoDateMonthAt, unpadded, valueOf } from './known-literal-forms.ts';

// The shortcuts of the per-set preparation (known-identifier-matcher.ts) against what they replace.

describe('isoDateMonthAt', () => {
  it('matches exactly where ISO_DATE does, with the same year, month and day', () => {
    const unit = fc.constantFrom('0', '1', '2', '5', '9', '-', '--', 'T', ' ', '/', '.', 'x', '٣', '１');
    fc.assert(
      fc.property(fc.oneof(fc.array(unit, { maxLength: 14 }).map((u) => u.join('')), fc.string({ maxLength: 12 })), (value) => {
        const m = ISO_DATE.exec(value);
        const at = isoDateMonthAt(value);
        expect(at >= 0).toBe(m !== null);
        if (m === null) return;
        const day = isoDateDayAt(value, at);
        expect([value.slice(0, 4), value.slice(at, at + 2), value.slice(day, day + 2)]).toEqual([m[1], m[2], m[3]]);
        // A match has eight digits, the condition the regular expression used to be guarded by.
        expect(digitsOf(value).length).toBeGreaterThanOrEqual(8);
      }),
      { numRuns: 5000 },
    );
  });

  it('unpadded is String(Number(x)) for every two-digit month or day', () => {
    for (let i = 0; i < 100; i++) {
      const x = String(i).padStart(2, '0');
      expect(unpadded(x)).toBe(String(Number(x)));
    }
  });
});

describe('digitsOf(raw) = digitsOf(valueOf(raw))', () => {
  it('NFC never adds, drops or moves an ASCII digit: no code point decomposes to one, none composes with one', () => {
    const digit = /[0-9]/;
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      const isDigit = c >= 48 && c <= 57;
      if (digit.test(s.normalize('NFD')) !== isDigit) expect.fail(`U+${c.toString(16)} decomposes to an ASCII digit`);
      if (!isDigit && `0${s}`.normalize('NFC').charCodeAt(0) !== 48) expect.fail(`U+${c.toString(16)} composes with a digit`);
    }
  });

  it('on generated values (digits, marks, spaces, compositions)', () => {
    const unit = fc.constantFrom('1', '2', '0', ' ', '\u00a0', '\u0301', '\u0338', '\u20e3', 'e', 'é', '\uff11', '٣', '-', '\t');
    fc.assert(
      fc.property(fc.oneof(fc.array(unit, { maxLength: 12 }).map((u) => u.join('')), fc.string({ maxLength: 12 })), (raw) => {
        expect(digitsOf(raw)).toBe(digitsOf(valueOf(raw)));
      }),
      { numRuns: 3000 },
    );
  });
});
