import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generalizeZip, HHS_RESTRICTED_ZIP3_2000 } from './zip3.ts';
import { aggregatedBirthYear, ageInYears, generalizeAge, isOver89 } from './age.ts';

const shared = path.resolve(import.meta.dirname, '../../../../../shared');

describe('Safe Harbor ZIP codes, 45 CFR §164.514(b)(2)(i)(B)', () => {
  it('uses the 17 HHS prefixes of the 2000 Census', () => {
    expect(HHS_RESTRICTED_ZIP3_2000).toHaveLength(17);
    for (const z of HHS_RESTRICTED_ZIP3_2000) expect(generalizeZip(`${z}42`)).toBe('000');
    expect(generalizeZip('10027')).toBe('100');
    expect(generalizeZip(' 98052-6399')).toBe('980');
    expect(generalizeZip('K1A 0B1')).toBe('000');
  });

  it('takes another list as configuration (the Microsoft anonymizer sample, 2010-census style)', () => {
    const config = JSON.parse(readFileSync(path.join(shared, 'corpus/reference-hipaa-zip3/msft-fhir-anonymizer-configuration-sample.json'), 'utf8')) as {
      parameters: { restrictedZipCodeTabulationAreas: string[] };
    };
    const list = config.parameters.restrictedZipCodeTabulationAreas;
    expect(list.length).toBeGreaterThan(10);
    for (const z of list) expect(generalizeZip(`${z}00`, list)).toBe('000');
    // The lists differ: 063 is restricted in the HHS 2000 list, not in the sample.
    expect(list.includes('063')).toBe(false);
    expect(generalizeZip('06390')).toBe('000');
    expect(generalizeZip('06390', list)).toBe('063');
  });
});

describe('ages over 89, 45 CFR §164.514(b)(2)(i)(C)', () => {
  it('aggregates ages and flags birth dates of the very old', () => {
    expect(generalizeAge(90)).toBe('90+');
    expect(generalizeAge('89')).toBe('89');
    expect(ageInYears('1930-06-15', '2020-06-14')).toBe(89);
    expect(isOver89('1930-06-16', '2020-06-15')).toBe(false);
    expect(isOver89('1930-06-15', '2020-06-15')).toBe(true);
    expect(aggregatedBirthYear('2024-01-01')).toBe('1934');
  });
});
