import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shiftIsoDate } from './shift-iso-date.ts';
import { DeidError } from './deid-error.ts';

describe('shiftIsoDate', () => {
  it('keeps every precision and form (FHIR R4 date, dateTime, instant)', () => {
    expect(shiftIsoDate('2021-03-04', 10)).toBe('2021-03-14');
    expect(shiftIsoDate('2021-03-04', -4)).toBe('2021-02-28');
    expect(shiftIsoDate('2020-02-28', 1)).toBe('2020-02-29');
    expect(shiftIsoDate('2021-03-04T10:11:12.123Z', 30)).toBe('2021-04-03T10:11:12.123Z');
    expect(shiftIsoDate('2021-03-04T10:11-05:00', 1)).toBe('2021-03-05T10:11-05:00');
    expect(shiftIsoDate('2021-03', 20)).toBe('2021-04');
    expect(shiftIsoDate('2021-03', 10)).toBe('2021-03');
    expect(shiftIsoDate('2021', 100)).toBe('2021');
    expect(shiftIsoDate('2021', 200)).toBe('2022');
    expect(shiftIsoDate('2021', -200)).toBe('2020');
  });

  it('refuses what is not a date, without echoing it', () => {
    for (const bad of ['20210304', '2021-13-01', '2021-02-30', 'John', '']) {
      expect(() => shiftIsoDate(bad, 1)).toThrow(DeidError);
      try {
        shiftIsoDate(bad, 1);
      } catch (e) {
        if (bad !== '') expect((e as Error).message).not.toContain(bad);
      }
    }
  });

  it('preserves the interval between any two days', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: -3650, max: 3650 }), (d, gap, shift) => {
        const a = d.toISOString().slice(0, 10);
        const b = new Date(d.getTime() + gap * 86_400_000).toISOString().slice(0, 10);
        const sa = Date.parse(shiftIsoDate(a, shift));
        const sb = Date.parse(shiftIsoDate(b, shift));
        expect((sb - sa) / 86_400_000).toBe(gap);
        expect((sa - Date.parse(a)) / 86_400_000).toBe(shift);
      }),
      { numRuns: 300 },
    );
  });
});
