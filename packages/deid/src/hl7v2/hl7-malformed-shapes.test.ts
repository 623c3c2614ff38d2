import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { builtinProfile } from '../profiles/load-profile.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import { Hl7Deidentifier } from './hl7-deidentifier.ts';
import { encodeHl7Text } from './hl7-escape.ts';
import { leaks } from './hl7-test-corpus.ts';
import { messageArb } from './hl7-arbitraries.ts';
import { MALFORMED_CASES, malformedInput, MSH, PID, SEEDS, valueAt } from './hl7-malformed-cases.ts';

// Identifiers in unusual or malformed shapes (docs/deid/hl7v2.md, "Malformed and unusual shapes"):
// none of the seeded values may survive. Each case that leaked before the rules first shows that its
// seeds lie in the input where the shape puts them (so the case cannot pass by not seeding), then
// that none is left. hl7-equivalence.test.ts runs the same cases against the reference.
const key = deidKeyFromSecret(new Uint8Array(32).fill(31));
const text = new KnownIdentifiersTextDeidentifier();

function deidentifier(profile: string): Hl7Deidentifier {
  return new Hl7Deidentifier({ factory: createPatientContextFactory(key), methods: new MethodApplier(builtinProfile(profile), key, { text }), referenceDate: '2026-11-24' });
}

describe('HL7 v2 identifiers in malformed and unusual shapes', () => {
  for (const { name, segments, seeded = [] } of MALFORMED_CASES) {
    it(`${name}: nothing seeded survives${seeded.length > 0 ? ' (it did before the rules)' : ''}`, () => {
      for (const [place, seed] of seeded) expect(leaks(valueAt(segments, place), seed), `${seed} in ${place}`).toBe(true);
      const joined = malformedInput(segments);
      for (const terminator of ['\r', '\n', '\r\n']) {
        const input = joined.replaceAll('\r', terminator);
        for (const profile of ['safe-harbor', 'date-shift']) {
          const r = deidentifier(profile).deidentify(input);
          for (const s of SEEDS) expect(leaks(r.text, s), `${profile}: ${s}`).toBe(false);
          for (const p of r.problems) for (const s of SEEDS) expect(p.describe()).not.toContain(s);
        }
      }
    });
  }

  it('counts what it removes for its shape, and keeps well-formed values', () => {
    const r = deidentifier('safe-harbor').deidentify([MSH, PID, 'OBX|1|NM|x||12.5~Zebulon~-3', 'OBX|2|SN|x||<^5^-^10', 'OBX|3|NM|x||Zebulon'].join('\r'));
    const out = r.text.split('\r');
    expect(out[2]).toBe('OBX|1|NM|x||12.5~~-3');
    expect(out[3]).toBe('OBX|2|SN|x||<^5^-^10');
    expect(out[4]).toBe('OBX|3|NM|x');
    expect(r.tally.entries().filter((e) => e.rule === 'hl7.OBX-5:misplaced-value').reduce((n, e) => n + e.n, 0)).toBe(2);
    const addr = deidentifier('safe-harbor').deidentify([MSH, 'PID|1||M1^^^H^MR||X||||||^^Gotham^New York^10001^United States^HOME~^^^ZZ^^^12 Main St~^^^Gotham^^Gotham'].join('\r'));
    expect(addr.text.split('\r')[1]?.split('|')[11]).toBe('^^^New York^100^United States^HOME~^^^ZZ');
    expect(addr.tally.entries().find((e) => e.rule === 'hl7.address:misplaced-value')?.n).toBe(3);
  });

  it('keeps a gestational age and ages up to 89 under local codes', () => {
    const out = deidentifier('safe-harbor').deidentify([MSH, PID, 'OBX|1|NM|GA^Gestational age^L||280|d', 'OBX|2|NM|AGE^Age^L||42|a', 'OBX|3|NM|PAGE^Pages^L||95'].join('\r')).text.split('\r');
    expect(out.slice(2)).toEqual(['OBX|1|NM|GA^Gestational age^L||280|d', 'OBX|2|NM|AGE^Age^L||42|a', 'OBX|3|NM|PAGE^Pages^L||95']);
  });

  it('keeps the TS precision code and the time of a shifted date, drops an offset with no time', () => {
    const out = deidentifier('date-shift').deidentify([MSH, 'PID|1||M1^^^H^MR||X||19500504^D', 'EVN|A01|20240101120000-0500^S|1950-0504'].join('\r')).text.split('\r');
    expect(out[1]?.split('|')[7]).toMatch(/^\d{8}\^D$/u);
    expect(out[2]?.split('|')[2]).toMatch(/^\d{14}-0500\^S$/u);
    expect(out[2]?.split('|')[3]).toMatch(/^\d{4}$/u);
  });

  it('never leaks seeded identifiers written in unusual shapes among random segments and delimiters', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{4,9}$/);
    const nineDigits = fc.stringMatching(/^[1-9]\d{8}$/);
    // Where the patient's name is given (so it is a known identifier), in which shape.
    const nameField = fc.constantFrom('PID-5', 'PID-9', 'NK1-2', 'GT1-3', 'IN1-16', 'MRG-7');
    const nameShape = fc.constantFrom('structured', 'whole', 'comma');
    // Where a malformed feed repeats a value: kept fields, OBX-5 of several types, date components.
    const echo = fc.constantFrom('PV1-3.1', 'PV1-3.4', 'NTE-2', 'OBX-5:CE.2', 'OBX-5:CWE.9', 'OBX-5:NM', 'OBX-5:SN.2', 'OBX-5:TM', 'AL1-3.2', 'DG1-3.2', 'PID-11.7', 'PID-11.4', 'PID-11.6', 'OBX-5:TX', 'NTE-3', 'PID-8', 'IN1-4', 'MSH-4');
    fc.assert(
      fc.property(messageArb, word, word, nineDigits, fc.tuple(nameField, nameShape, fc.nat(11), fc.nat(2)), fc.array(fc.tuple(echo, fc.nat(5), fc.nat(1)), { minLength: 1, maxLength: 5 }), (m, family, given, digits, [where, shape, comp, rep], echoes) => {
        const { enc } = m;
        const f = enc.field;
        const c = enc.component;
        const ssn = `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;
        const phone = `555-${digits.slice(0, 3)}-${digits.slice(5)}`;
        const mrn = `MRN${digits}`;
        const street = `${digits.slice(0, 3)} ${family} Road`;
        const e = (s: string): string => encodeHl7Text(s, enc);
        const name = shape === 'structured' ? `${e(family)}${c}${e(given)}` : e(shape === 'whole' ? `${given} ${family}` : `${family}, ${given}`);
        const placed = `${enc.repetition.repeat(rep)}${c.repeat(comp)}${name}`;
        const fieldAt = (seg: string, n: number, value: string): string => [seg, ...Array.from({ length: n - 1 }, () => ''), value].join(f);
        const [seg = 'PID', n = '5'] = where.split('-');
        const lines = m.text.split(m.terminator).filter((l) => l !== '');
        const pid = [`PID`, '1', '', `${mrn}${c}${c}${c}H${c}MR`, '', '', '', '', '', '', '', `${e(street)}${c}${c}Gotham${c}NY${c}10001`, '', e(phone), '', '', '', '', '', e(ssn)];
        if (seg === 'PID') pid[Number(n)] = placed;
        lines.splice(1, 0, pid.join(f));
        if (seg !== 'PID') lines.push(fieldAt(seg, Number(n), placed));
        const values = [family, given, ssn, phone, mrn, street];
        // Other spellings a feed may use for the same values (looked for, not seeded in identifying fields).
        const spellings = [family.toUpperCase(), `${given}'s`, digits, `(555) ${digits.slice(0, 3)}-${digits.slice(5)}`, `555${digits.slice(0, 3)}${digits.slice(5)}`, `${given}, ${family}`];
        for (const [at, which, w] of echoes) {
          const v = e(`${w === 0 ? 'see ' : ''}${(w === 0 ? values : spellings)[which] ?? family}`);
          const [target = '', type] = at.split(':');
          const [field = '', sub = '1'] = (type ?? target).split('.');
          const k = Number(sub) - 1;
          const inComponent = `${c.repeat(k)}${v}`;
          if (type !== undefined) lines.push(['OBX', '1', field, 'x', '', type === 'NM' || type === 'TM' || type === 'TX' ? v : inComponent].join(f));
          else {
            const [s = 'PV1', fn = '3'] = target.split('-');
            const [num = '3', part = '1'] = fn.split('.');
            const value = `${c.repeat(Number(part) - 1)}${v}`;
            if (s === 'MSH') lines[0] = (lines[0] ?? '').split(f).map((x, i) => (i === 3 ? value : x)).join(f);
            else if (s === 'PID') lines.push(fieldAt('PID', Number(num), value));
            else lines.push(fieldAt(s, Number(num), value));
          }
        }
        const input = lines.join(m.terminator);
        for (const profile of ['safe-harbor', 'date-shift']) {
          const out = deidentifier(profile).deidentify(input).text;
          for (const v of [...values, digits, `555${digits.slice(0, 3)}${digits.slice(5)}`]) expect(leaks(out, v), `${profile}: ${where} ${shape}`).toBe(false);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
    );
  });
});
