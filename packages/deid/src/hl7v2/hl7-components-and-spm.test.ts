import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { builtinProfile, parseProfile } from '../profiles/load-profile.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import type { LoadedProfile } from '../profiles/deid-profile.ts';
import { Hl7Deidentifier } from './hl7-deidentifier.ts';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';
import { segmentFields } from './hl7-structure.ts';
import { ReferenceHl7Deidentifier } from '../../test-oracles/hl7v2-reference/reference-deidentifier.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(31));
const text = new KnownIdentifiersTextDeidentifier();

function deidentifier(profile: LoadedProfile = builtinProfile('safe-harbor')): Hl7Deidentifier {
  return new Hl7Deidentifier({ factory: createPatientContextFactory(key), methods: new MethodApplier(profile, key, { text }), referenceDate: '2026-11-24' });
}

function profile(...rules: string[]): LoadedProfile {
  return parseProfile(['id: c', 'version: "1"', 'extends: safe-harbor', 'rules:', ...rules.map((r) => `  - ${r}`)].join('\n'));
}

function field(output: string, segment: string, n: number): string {
  const line = output.split('\r').find((l) => l.startsWith(segment)) ?? '';
  return segmentFields(line, DEFAULT_ENCODING)[n] ?? '';
}

const PID = 'PID|1||MRN-77^^^HOSP^MR||DOE^JANE^Q~ROE^JO||19700101|F|||12 Elm St&Elm St&12^Apt 4^Springfield^IL^62704^USA||(217)555-0101';
const msg = (...segments: string[]): string => `MSH|^~\\&|A|B|C|D|20240102030405||ORU^R01|M1|P|2.5.1\r${[PID, ...segments].join('\r')}\r`;

describe('HL7 v2 component rules (SEG-n.c, SEG-n.c.s)', () => {
  it('applies a component rule over the field rule: PID-5.2 keeps the given name initial of every repetition', () => {
    const p = profile('{ target: { hl7: "PID-5.2" }, category: name, method: { kind: generalize, to: prefix, length: 1 } }');
    const r = deidentifier(p).deidentify(msg());
    expect(field(r.text, 'PID', 5)).toBe('^J~^J');
    expect(r.text).not.toMatch(/DOE|JANE|ROE/);
    expect(r.tally.entries()).toContainEqual({ category: 'name', rule: 'hl7.PID-5.2:generalize', n: 2 });
    // Without the rule, the whole name goes.
    expect(field(deidentifier().deidentify(msg()).text, 'PID', 5)).toBe('');
  });

  it('keeps one address component while the rest follows the table (PID-11.5 ZIP kept whole)', () => {
    const p = profile('{ target: { hl7: "PID-11.5" }, category: geographic, method: { kind: keep } }');
    expect(field(deidentifier(p).deidentify(msg()).text, 'PID', 11)).toBe('^^^IL^62704^USA');
    expect(field(deidentifier().deidentify(msg()).text, 'PID', 11)).toBe('^^^IL^627^USA');
  });

  it('addresses a subcomponent (PID-11.1.3, the dwelling number) and a component of a kept field (PV1-3.1)', () => {
    const p = profile(
      '{ target: { hl7: "PID-11.1.3" }, category: geographic, method: { kind: keep } }',
      '{ target: { hl7: "PV1-3.1" }, category: geographic, method: { kind: redact } }',
    );
    const out = deidentifier(p).deidentify(msg('PV1|1|I|W7^B5^3^GHH')).text;
    expect(field(out, 'PID', 11)).toBe('&&12^^^IL^627^USA');
    expect(field(out, 'PV1', 3)).toBe('^B5^3^GHH');
  });

  it('gives a component a keyed method (PV1-19.4) and refuses component rules on the patient identifier list', () => {
    const p = profile('{ target: { hl7: "PV1-19.4" }, method: { kind: cryptoHash, length: 10 } }');
    const out = deidentifier(p).deidentify(msg('PV1|1|I|||||||||||||||||V-9^^^GHH')).text;
    expect(field(out, 'PV1', 19)).toMatch(/^PG-[0-9A-Z]+\^\^\^[0-9a-f]{10}$/);
    expect(field(out, 'PID', 5)).toBe('');
    expect(() => deidentifier(profile('{ target: { hl7: "PID-3.4" }, method: { kind: keep } }'))).toThrow(expect.objectContaining({ code: 'invalid-profile', place: { segment: 'PID', field: '3' } }));
  });

  it('is the field rule alone when the addressed component is empty (property: same output as without the rule)', () => {
    const withRule = deidentifier(profile('{ target: { hl7: "NK1-2.7" }, method: { kind: keep } }'));
    const without = new ReferenceHl7Deidentifier({ factory: createPatientContextFactory(key), methods: new MethodApplier(builtinProfile('safe-harbor'), key, { text }), referenceDate: '2026-11-24' });
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Z]{0,6}$/), { maxLength: 6 }), (parts) => {
        const input = msg(`NK1|1|${parts.join('^')}|SPO`);
        expect(withRule.deidentify(input).text).toBe(without.deidentify(input).text);
      }),
    );
  });
});

describe('HL7 v2 SPM (specimen, v2.5+)', () => {
  const spmFields: Record<number, string> = { 1: '1', 2: 'P-778899&LAB^F-24LADH-318&Beaker', 4: '119297000^Blood specimen^SCT', 14: 'Drawn at home of DOE', 17: '20240102083000^20240102084500', 18: '20240103101500', 19: '20250101' };
  const spm = ['SPM', ...Array.from({ length: 19 }, (_, i) => spmFields[i + 1] ?? '')].join('|');

  it('keeps the specimen, pseudonymizes its ids and keeps only the year of its dates (safe-harbor)', () => {
    const r = deidentifier().deidentify(msg(spm));
    expect(r.text).toContain('\rSPM|');
    expect(field(r.text, 'SPM', 4)).toBe('119297000^Blood specimen^SCT');
    expect(field(r.text, 'SPM', 2)).toMatch(/^PG-[0-9A-Z]+\^PG-[0-9A-Z]+$/);
    expect(r.text).not.toMatch(/778899|24LADH|Beaker/);
    expect(field(r.text, 'SPM', 14)).toBe('Drawn at home of [NAME]');
    expect(field(r.text, 'SPM', 17)).toBe('2024^2024');
    expect(field(r.text, 'SPM', 18)).toBe('2024');
    expect(field(r.text, 'SPM', 19)).toBe('2025');
  });

  it('shifts both ends of the collection range by the patient shift (date-shift)', () => {
    const factory = createPatientContextFactory(key);
    const d = new Hl7Deidentifier({ factory, methods: new MethodApplier(builtinProfile('date-shift'), key, { text }) });
    const shift = factory.forPatient({ system: 'HOSP', value: 'MRN-77' });
    const out = d.deidentify(msg(spm)).text;
    const [start = '', end = ''] = field(out, 'SPM', 17).split('^');
    expect(start.slice(8)).toBe('083000');
    expect(end.slice(8)).toBe('084500');
    expect(start.slice(0, 8)).toBe(shift.shiftIsoDate('2024-01-02').replaceAll('-', ''));
    expect(field(out, 'SPM', 18).slice(0, 8)).toBe(shift.shiftIsoDate('2024-01-03').replaceAll('-', ''));
  });

  it('gives the same specimen id the same pseudonym in SPM-2 and OBX-33', () => {
    const out = deidentifier().deidentify(msg('SPM|1|P-778899', 'OBX|1|NM|X||5||||||F||||||||||||||||||||||P-778899')).text;
    expect(field(out, 'SPM', 2)).toBe(field(out, 'OBX', 33));
  });
});
