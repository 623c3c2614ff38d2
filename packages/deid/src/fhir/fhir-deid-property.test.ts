import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLeaks } from './fhir-leak-check.ts';
import { makeDeidentifier } from './fhir-test-setup.ts';

// Seeded identifiers: distinctive tokens that never occur in codes, so any survival is a leak.
const token = (prefix: string): fc.Arbitrary<string> => fc.stringMatching(/^[A-Z][a-z]{3,8}$/).map((s) => `${prefix}${s}Qz`);
const digits = (n: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const date = fc.date({ min: new Date('1940-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const patientArb = fc.record({
  family: token('Fam'), given: token('Giv'), line: token('Street'), city: token('City'), zip: digits(5), phone: digits(10),
  email: token('mail'), ssn: digits(9), mrn: digits(8), birthDate: date, visit: date, note: fc.constantFrom('seen today', 'follow-up', ''),
});

describe('property: seeded identifiers never leak (safe-harbor)', () => {
  it('random Patients, Observations, RelatedPersons and Persons', () => {
    fc.assert(
      fc.property(patientArb, fc.boolean(), (p, withObs) => {
        const d = makeDeidentifier();
        const patient = {
          resourceType: 'Patient', id: `pat-${p.mrn}`,
          identifier: [
            { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:mrn', value: p.mrn },
            { system: 'http://hl7.org/fhir/sid/us-ssn', value: `${p.ssn.slice(0, 3)}-${p.ssn.slice(3, 5)}-${p.ssn.slice(5)}` },
          ],
          name: [{ family: p.family, given: [p.given], text: `${p.given} ${p.family}` }],
          telecom: [{ system: 'phone', value: p.phone }, { system: 'email', value: `${p.email}@example.org` }],
          birthDate: p.birthDate,
          address: [{ line: [`12 ${p.line}`], city: p.city, state: 'MA', postalCode: p.zip }],
          contact: [{ name: { family: p.family, given: ['Kin'] }, telecom: [{ system: 'phone', value: p.phone }] }],
          photo: [{ url: `https://img.example.org/${p.mrn}.jpg` }],
        };
        const obs = {
          resourceType: 'Observation', id: `obs-${p.mrn}`, status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: `Blood pressure of ${p.family}` }], text: `BP for ${p.given} ${p.family}` }, subject: { reference: `Patient/pat-${p.mrn}`, display: `${p.given} ${p.family}` },
          effectiveDateTime: `${p.visit}T10:00:00Z`, note: [{ text: `${p.note} ${p.given} called from ${p.phone} on ${p.visit}` }],
        };
        const related = {
          resourceType: 'RelatedPerson', id: `rp-${p.mrn}`, patient: { reference: `Patient/pat-${p.mrn}` },
          name: [{ family: p.family, given: [`${p.given}ina`] }], telecom: [{ system: 'phone', value: p.phone }],
          address: [{ line: [`9 ${p.line}`], city: p.city, postalCode: p.zip }], birthDate: p.birthDate,
        };
        const person = { resourceType: 'Person', id: `per-${p.mrn}`, name: [{ text: `${p.given} ${p.family}` }], telecom: [{ system: 'email', value: `${p.email}@example.org` }] };
        const seeded = new Set([p.family, p.given, p.line, p.city, p.zip, p.phone, p.email, p.ssn, `${p.ssn.slice(0, 3)}-${p.ssn.slice(3, 5)}-${p.ssn.slice(5)}`, p.mrn, p.birthDate, p.visit, `pat-${p.mrn}`]);
        const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: patient }, ...(withObs ? [{ resource: obs }, { resource: related }, { resource: person }] : [])] };
        const { resource } = d.deidentify(bundle);
        expect(findLeaks(seeded, resource)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
