import { describe, expect, it } from 'vitest';
import type { DetectedSpan } from '../detected-span.ts';
import { found } from '../test-engine.ts';
import { findInternationalStreets } from './international-street.ts';

function streets(text: string): string[] {
  const out: DetectedSpan[] = [];
  findInternationalStreets(text, out);
  return out.map((s) => text.slice(s.start, s.end));
}

// Street addresses, 45 CFR §164.514(b)(2)(i)(B), in forms with the house number after the name.
describe('international streets', () => {
  it('finds a street ending then a house number, with a house number before it', () => {
    expect(streets('Lives at Vaahterakatu 17 with her sister.')).toEqual(['Vaahterakatu 17']);
    expect(streets('Moved to 12 Nørrebrogade 4B last spring.')).toEqual(['12 Nørrebrogade 4B']);
    expect(streets('Address: Lindenstraße 8, Kiel')).toEqual(['Lindenstraße 8']);
    expect(streets('Sent to Hauptstr. 21 yesterday.')).toEqual(['Hauptstr. 21']);
  });

  it('finds a street word before the name', () => {
    expect(streets('Office at Via Giuseppe Verdi 14, second floor.')).toEqual(['Via Giuseppe Verdi 14']);
    expect(streets('Stayed at 3 Rue de la Paix 12 in May.')).toEqual(['3 Rue de la Paix 12']);
  });

  it('does not take doses, lab values or English words before numbers', () => {
    expect(streets('Metoprolol tartrate 25 mg; Sodium 140; Platelets 210; Gate 12; Route 9')).toEqual([]);
    expect(streets('via PEG 2 times daily; Via 3 ports')).toEqual([]);
  });

  it('has no catastrophic backtracking on long runs', () => {
    for (const t of [`${'Via Ab '.repeat(3000)}x`, 'Akatu '.repeat(3000), ' 1'.repeat(5000)]) expect(streets(t).length).toBeGreaterThanOrEqual(0);
  });
});

describe('postal codes', () => {
  it.each([
    ['ZIP: 3520', 'geographic:3520'],
    ['Postcode 1012 AB, Amsterdam', 'geographic:1012 AB, Amsterdam'],
    ['Postal code: K1A 0B1', 'geographic:K1A 0B1'],
    ['post code SW1A 1AA', 'geographic:SW1A 1AA'],
  ])('finds %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });
});
