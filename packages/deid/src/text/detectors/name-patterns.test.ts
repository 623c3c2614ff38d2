import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectedSpan } from '../detected-span.ts';
import { engines, found } from '../test-engine.ts';
import { findPatternNames } from './name-patterns.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const EPONYM_NEXT: ReadonlySet<string> = new Set(['syndrome', 'disease', 'sign']);

function patternNames(text: string): string[] {
  const out: DetectedSpan[] = [];
  findPatternNames(text, engines().dictionaries, EPONYM_NEXT, out);
  return out.map((s) => text.slice(s.start, s.end));
}

// Names with lower-case particles and lower-case names with a middle initial, 45 CFR §164.514(b)(2)(i)(A).
describe('pattern names', () => {
  it('takes a given part, lower-case particles and a surname as one name', () => {
    expect(patternNames('Handoff to Anneke van der Hoeven at 7.')).toEqual(['Anneke van der Hoeven']);
    expect(patternNames('Zorica ten Brakel will call back.')).toEqual(['Zorica ten Brakel']);
  });

  it('keeps eponyms and ordinary words with particles', () => {
    expect(patternNames('Cornelia de Lange syndrome is suspected.')).toEqual([]);
    expect(patternNames('Walked down the Rue de Rivoli.')).toEqual([]);
    expect(patternNames('Follow the Table de Contents.')).toEqual([]);
  });

  it('takes lower-case names with a middle initial when a part is listed or they fill their line', () => {
    expect(patternNames('pt seen with ramona k tsvetkova this am')).toEqual(['ramona k tsvetkova']);
    expect(patternNames('> vasko d tremblin\n> social work')).toEqual(['vasko d tremblin']);
    expect(patternNames('contact: oksel t. vradenko')).toEqual([]);
  });

  it('does not take clinical shorthand or English words around a letter', () => {
    expect(patternNames('toradol q pain, zosyn x days, knee r side')).toEqual([]);
    expect(patternNames('the blood b type')).toEqual([]);
  });

  it('never takes three English words around any letter (property)', () => {
    const words = ['pain', 'water', 'house', 'every', 'morning', 'blood', 'walking', 'table', 'chest', 'given'];
    fc.assert(
      fc.property(fc.constantFrom(...words), fc.integer({ min: 97, max: 122 }).map((c) => String.fromCharCode(c)), fc.constantFrom(...words), (a, m, b) => {
        expect(patternNames(`${a} ${m} ${b}`)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('has no catastrophic backtracking on long runs', () => {
    for (const t of ['Ab van '.repeat(3000), 'ab c '.repeat(3000), `${'Ab de la '.repeat(2000)}x`]) expect(patternNames(t).length).toBeGreaterThanOrEqual(0);
  });
});

describe('name detector, context and shapes', () => {
  it.each([
    ['Zorvan T Oblenko\nCase manager', 'name:Zorvan T Oblenko'],
    ['Spoke with Amelia J. Hammock about discharge.', 'name:Amelia J. Hammock'],
    ['Referred by Thomas Whitcombe Jr. for follow-up.', 'name:Thomas Whitcombe Jr.'],
    ['Plan reviewed by Giovanni Ferraro MD today.', 'name:Giovanni Ferraro MD'],
    ['"The pain is better," says Okonjo.', 'name:Okonjo'],
    ['Her grandmother was called Ilse Brenninkmeyer.', 'name:Ilse Brenninkmeyer'],
    ['Everyone calls me dragoslav at home.', 'name:dragoslav'],
    ['Radek, can you describe the pain?', 'name:Radek'],
    ['Zbyslava began physical therapy last week.', 'name:Zbyslava'],
    ['Spoke with ms. Okonkwo by phone.', 'name:Okonkwo'],
    ['I am Tadeusz Wrzosek, her son.', 'name:Tadeusz Wrzosek'],
    ['The nurse called zdeněk about transport.', 'name:zdeněk'],
    ['Please change it to Moira Pagan.', 'name:Moira Pagan'],
    ['Moira Pagan is her sister.', 'name:Moira Pagan'],
    // A relative after the relationship word (the label marks the given name): the surname is an English word.
    ['Dizzy since Monday, wife Jane Roe present.', 'name:Jane Roe'],
    ['Spoke with daughter Mary Hope today.', 'name:Mary Hope'],
  ])('finds %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('keeps speech and naming labels away from eponyms, drugs and lower-case shorthand', () => {
    expect(found("ALS, also known as Lou Gehrig's disease, was discussed.")).toEqual([]);
    expect(engines().tags.detect('He said Keppra helps.').filter((s) => s.detector === 'dictionary.label')).toEqual([]);
    expect(found('Wife said pt fell at home.')).toEqual([]);
    expect(found("Tender at Erb's point on exam.")).toEqual([]);
    expect(found('As Odalys Brenneke points out, the plan works.')).toContain('name:Odalys Brenneke');
  });

  it('takes an ordinary word after a given name as a surname only when it ends the clause and is no place word', () => {
    expect(found('Moira Hospital staff met.')).not.toContain('name:Moira Hospital');
    expect(found('Seen with Moira Pagan Street residents.')).not.toContain('name:Moira Pagan');
    expect(found('Seen with wife Jane Hospital staff.')).not.toContain('name:Jane Hospital');
  });

  it('keeps a degree after a comma outside the name', () => {
    expect(found('Signed: Priya Raman, MD')).toContain('name:Priya Raman');
  });

  it('does not take lower-case accented words of a non-English text for names', () => {
    const text = 'El paciente presentó fiebre después de la cirugía, según la evolución clínica del día.';
    expect(engines().tags.detect(text).filter((s) => s.detector === 'dictionary.foreign')).toEqual([]);
  });

  it('does not take Greek letters or English loan words for names', () => {
    expect(found('Started a β-blocker; café au lait spots; naïve to insulin.')).toEqual([]);
  });
});
