import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownIdentifiersTextDeidentifier } from './known-identifiers-text-deidentifier.ts';

const deid = new KnownIdentifiersTextDeidentifier();

describe('KnownIdentifiersTextDeidentifier', () => {
  it('removes known values exact and case/space-insensitively, whole words only', () => {
    const known = { names: ['Adam Everyman', 'Al'], identifiers: ['123-45-6789'], phones: ['(555) 555-2004'], dates: ['1988-11-04'] };
    const r = deid.deidentify({
      text: 'Pt ADAM   everyman (SSN 123456789, tel 555.555.2004) born 11/4/1988; Albumin ok; al said hi',
      known,
    });
    expect(r.text).toBe('Pt [NAME] (SSN [OTHER-ID], tel [PHONE]) born [DATE]; Albumin ok; [NAME] said hi');
    expect(r.spans.map((s) => s.detector)).toEqual(['known.name', 'known.identifier', 'known.phone', 'known.date', 'known.name']);
  });

  it('returns the text unchanged without known identifiers', () => {
    expect(deid.deidentify({ text: 'nothing here' }).text).toBe('nothing here');
  });

  it('never leaves a seeded name in the text', () => {
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z'.]{1,11}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), (names, filler) => {
        const text = filler.flatMap((f, i) => [f, ` ${names[i % names.length] ?? ''} `]).join('') + ` ${names.join(' ').toUpperCase()}.`;
        const out = deid.deidentify({ text, known: { names } }).text;
        for (const n of names) expect(out.toLowerCase()).not.toMatch(new RegExp(`(?<![\\p{L}\\p{N}])${n.toLowerCase().replace(/\./g, '\\.')}(?![\\p{L}\\p{N}])`, 'u'));
      }),
      { numRuns: 200 },
    );
  });
});
