import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateMention, writtenForms } from './date-mention.ts';

describe('date mentions', () => {
  it.each([
    ['3/4/21', [2021, 3, 4], [2022, 12, 25], '12/25/22'],
    ['03/04/2021', [2021, 3, 4], [2021, 1, 9], '01/09/2021'],
    ['25.12.2020', [2020, 12, 25], [2021, 1, 2], '02.01.2021'],
    ['2021-03-04T10:00:00Z', [2021, 3, 4], [2020, 2, 29], '2020-02-29T10:00:00Z'],
    ['March 4th, 2021', [2021, 3, 4], [2021, 4, 2], 'April 2nd, 2021'],
    ['MAR 4', [undefined, 3, 4], [2000, 11, 23], 'NOV 23'],
    ['4-Mar-2021', [2021, 3, 4], [2021, 9, 11], '11-Sep-2021'],
    ['4th of March', [undefined, 3, 4], [2000, 3, 1], '1st of March'],
    ['Dec. 2019', [2019, 12, undefined], [2020, 1, 15], 'Jan. 2020'],
    ['4th', [undefined, undefined, 4], [2000, 1, 22], '22nd'],
  ] as const)('%s', (text, parts, to, rendered) => {
    const m = parseDateMention(text);
    expect(m === undefined ? undefined : [m.year, m.month, m.day]).toEqual(parts);
    expect(m?.render(to[0], to[1], to[2])).toBe(rendered);
  });

  it('every written form of a date parses back to that date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1901-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        for (const form of writtenForms(y, m, day)) {
          const p = parseDateMention(form);
          expect(p?.month).toBe(m);
          expect(p?.day).toBe(day);
          if (p?.year !== undefined && !/\d{2}$/.test(form.replace(/\d{4}$/, ''))) expect(p.year % 100).toBe(y % 100);
          expect(p?.render(y, m, day)).toBe(form);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    );
  });
});
