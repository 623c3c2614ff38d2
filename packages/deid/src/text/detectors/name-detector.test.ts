import { describe, expect, it } from 'vitest';
import { found } from '../test-engine.ts';

// Names, 45 CFR §164.514(b)(2)(i)(A): patients, relatives, clinicians.
describe('name detector', () => {
  it.each([
    ['Patient John Smith was seen.', ['name:John Smith']],
    ['Seen by Dr. Reyes-Ortiz today.', ['name:Reyes-Ortiz']],
    ['Discussed with Dr. Parkinson, neurology.', ['name:Parkinson']],
    ['Smith, John presented with cough.', ['name:Smith', 'name:John']],
    ['Seen with J. Smith and A. B. Jones.', ['name:J. Smith', 'name:A. B. Jones']],
    ["Reviewed Mary's labs.", ['name:Mary']],
    ['PATIENT: MARGARET HOLLOWAY', ['name:MARGARET HOLLOWAY']],
    ['Electronically signed by: Alice Nguyen, MD', ['name:Alice Nguyen']],
    ['His daughter Keisha will visit.', ['name:Keisha']],
    ['Mrs. Brown called about her son.', ['name:Brown']],
    ['Met with Krisztián Szöllösy at noon.', ['name:Krisztián Szöllösy']],
    ['The note mentions Bob965 Keeling57 twice.', ['name:Bob965 Keeling57']],
    ['Patient was seen with Vizirov yesterday.', ['name:Vizirov']],
    ['Tomomi is from Osaka and works nights.', ['name:Tomomi']],
    ['Ubul: I feel better today.', ['name:Ubul']],
    ['John: You saved my life!', ['name:John']],
    ['Seen with Usamov and Bowers last week.', ['name:Usamov', 'name:Bowers']],
    ["What's your last name? Magnusson", ['name:Magnusson']],
    ['She said my name is vitoria and left.', ['name:vitoria']],
    ['follow up with patricia desrosiers in a couple of months.', ['name:patricia desrosiers']],
    ['they had 3: silvana, kristina and caleb.', ['name:silvana', 'name:kristina', 'name:caleb']],
  ])('finds %s', (text, expected) => {
    const spans = found(text);
    for (const e of expected) expect(spans).toContain(e);
  });

  it.each([
    ['Neighbor "Bud" Kowalczyk drove him in.', 'name:Bud'],
    ['Neighbor "Bud" Kowalczyk drove him in.', 'name:Kowalczyk'],
    ['His friend Rosalind visited.', 'name:Rosalind'],
    ['Roommate Tanisha called twice.', 'name:Tanisha'],
    ['Aunt Philippa and nephew Dmitri came.', 'name:Philippa'],
    ['Aunt Philippa and nephew Dmitri came.', 'name:Dmitri'],
    ['Caregiver: Oyelaran, since May.', 'name:Oyelaran'],
    ['Her neighbour “Ziggy” Brannagh helps.', 'name:Ziggy'],
    ['Her neighbour “Ziggy” Brannagh helps.', 'name:Brannagh'],
    ['Granddaughter Leontyne lives nearby.', 'name:Leontyne'],
    ['Ordering: LIANG, WEI (NPI 1588667788)', 'name:WEI'],
    ['Ordering physician: Okafor, Ngozi.', 'name:Okafor'],
  ])('finds the name after a relation or in quotes: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('still reads an ordinary word opening a quotation as a word', () => {
    expect(found('He said "Will you call me?" and left.')).toEqual([]);
    expect(found('Her friend said "Hope is all we have."')).toEqual([]);
  });

  it('joins a first name and an unlisted surname', () => {
    expect(found('Spoke with Sarah Okonkwo-Baptiste at length.')).toEqual(expect.arrayContaining(['name:Sarah Okonkwo-Baptiste']));
  });

  it('takes all-English multi-word places only after a place preposition', () => {
    expect(found('Patient currently has Blue Cross Blue Shield.')).toEqual([]);
    expect(found('She moved from Salt Lake City last year.')).toEqual(['geographic:Salt Lake City']);
  });

  it('does not take ordinary capitalized words at a sentence start for names', () => {
    expect(found('Will continue current plan. Grant application pending. Hope is good.')).toEqual([]);
  });
});

describe('name detector, acronyms', () => {
  it('takes a short given name in capitals after SURNAME, but not a degree', () => {
    expect(found('Patient: HERNANDEZ, ANN')).toEqual(['name:HERNANDEZ', 'name:ANN']);
    expect(found('Cosigned JONES, RN')).not.toContain('name:RN');
  });

  it('does not join an acronym label to the name before it', () => {
    expect(found('Smith, John MRN 12345678')).toEqual(['name:Smith', 'name:John', 'mrn:12345678']);
  });
});
