import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatientContext } from '../../context/patient-context.ts';
import { engines, testPatient } from '../test-engine.ts';
import { SurrogateWriter } from './surrogate-writer.ts';

/** A patient whose keyed pseudonyms are `seed`: every pick lands where the seed says. */
function fixedPatient(seed: string): PatientContext {
  return { pseudonym: 'PG-T', dateShiftDays: 0, shiftIsoDate: (v) => v, pseudonymFor: () => seed };
}

const span = (text: string, category: 'name' | 'geographic') => [{ start: 0, end: text.length, category, detector: 'test' }];

describe('SurrogateWriter never hands back the word it replaces', () => {
  // Two of three pool words contain the real one: without the walk, most seeds would pick them.
  const writer = new SurrogateWriter({
    firstNames: ['Annabel', 'Joanna', 'Priya'],
    surnames: ['Smitham', 'Goldsmith', 'Okafor'],
    cities: ['Bostonia', 'Salem', 'Boston'],
    isGivenName: (w) => w === 'ann',
  });

  it('skips pool words equal to, inside or around the real word, for every seed', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const patient = fixedPatient(seed);
        expect(writer.apply('Smith', span('Smith', 'name'), 'surrogates', patient)).toBe('Okafor');
        expect(writer.apply('Ann', span('Ann', 'name'), 'surrogates', patient)).toBe('Priya');
        expect(writer.apply('Boston', span('Boston', 'geographic'), 'surrogates', patient)).toBe('Salem');
        expect(writer.apply('J', span('J', 'name'), 'surrogates', patient)).not.toBe('J');
      }),
      { numRuns: 300 },
    );
  });

  it('writes a tag when every pool word is related to the real one', () => {
    const tight = new SurrogateWriter({ firstNames: ['Smith'], surnames: ['Smithers'], cities: ['Smithtown'], isGivenName: () => false });
    expect(tight.apply('Smith', span('Smith', 'name'), 'surrogates', fixedPatient('x'))).toBe('[NAME]');
    expect(tight.apply('Smith', span('Smith', 'geographic'), 'surrogates', fixedPatient('x'))).toBe('[GEOGRAPHIC]');
  });

  it('with the real dictionaries: no surname surrogate contains, or is contained in, the surname', () => {
    const surnames = [...engines().dictionaries.surnames].filter((s) => s.length >= 3).slice(0, 5000);
    fc.assert(
      fc.property(fc.constantFrom(...surnames), fc.nat(), (lower, mrn) => {
        const name = lower.charAt(0).toUpperCase() + lower.slice(1);
        const text = `Seen by Dr. ${name} today.`;
        const out = engines().surrogates.deidentify({ text, patient: testPatient(`MRN-${String(mrn)}`) }).text.toLowerCase();
        const surrogate = /dr\. (\S+) today/.exec(out)?.[1] ?? '';
        if (surrogate === '[name]' || surrogate === '') return;
        expect(surrogate.includes(lower) || lower.includes(surrogate)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('same-shape identifiers', () => {
  const writer = new SurrogateWriter({ firstNames: ['Priya'], surnames: ['Okafor'], cities: ['Salem'], isGivenName: () => false });

  it('never come out equal to the real value, and keep its shape', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Za-z]{1,3}(-[0-9]{1,2})?$/), fc.string(), (value, seed) => {
        const out = writer.apply(value, [{ start: 0, end: value.length, category: 'mrn', detector: 'test' }], 'surrogates', fixedPatient(seed));
        expect(out).not.toBe(value);
        expect(out.replace(/[0-9]/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A')).toBe(value.replace(/[0-9]/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A'));
      }),
      { numRuns: 2000 },
    );
  });
});
