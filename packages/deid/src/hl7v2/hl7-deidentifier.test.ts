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
import { encodeHl7Text } from './hl7-escape.ts';
import { segmentFields } from './hl7-structure.ts';
import { corpusHl7Files, identifierValues, leaks, limitedDataSetKeptValues, readCorpusText } from './hl7-test-corpus.ts';
import { encodingArb, messageArb } from './hl7-arbitraries.ts';

const keyA = deidKeyFromSecret(new Uint8Array(32).fill(11));
const keyB = deidKeyFromSecret(new Uint8Array(32).fill(12));
const text = new KnownIdentifiersTextDeidentifier();

function deidentifier(profile: LoadedProfile = builtinProfile('safe-harbor'), key = keyA): Hl7Deidentifier {
  return new Hl7Deidentifier({ factory: createPatientContextFactory(key), methods: new MethodApplier(profile, key, { text }), referenceDate: '2026-11-24' });
}

function field(output: string, segment: string, n: number): string[] {
  return output
    .split(/\r\n|\r|\n/)
    .filter((l) => l.startsWith(segment))
    .map((l) => segmentFields(l, DEFAULT_ENCODING)[n] ?? '');
}

const files = corpusHl7Files();
const inputs = new Map(files.map((f) => [f, readCorpusText(f)]));

describe('Hl7Deidentifier on the corpus', () => {
  for (const id of ['safe-harbor', 'date-shift'] as const) {
    it(`${id}: every file de-identifies and no collected identifier survives, OBX/NTE text included`, () => {
      const d = deidentifier(builtinProfile(id));
      let checked = 0;
      for (const [file, input] of inputs) {
        const r = d.deidentify(input);
        expect(r.problems, file).toEqual([]);
        expect(r.messages, file).toBeGreaterThan(0);
        for (const value of identifierValues(input)) {
          checked += 1;
          expect(leaks(r.text, value), `${file}: a ${String(value.length)}-character identifier survived`).toBe(false);
        }
      }
      expect(checked).toBeGreaterThan(3000);
    });
  }

  it('limited-data-set: no direct identifier survives anywhere in the corpus (dates, city, county, ZIP may)', () => {
    const d = deidentifier(builtinProfile('limited-data-set'));
    let checked = 0;
    for (const [file, input] of inputs) {
      const out = d.deidentify(input).text;
      // A value that is also (part of) a city, county or ZIP kept by the limited data set may show there.
      const direct = identifierValues(input, true);
      const kept = limitedDataSetKeptValues(input);
      for (const value of direct) {
        if (kept.some((k) => leaks(k, value))) continue;
        checked += 1;
        expect(leaks(out, value), `${file}: a ${String(value.length)}-character direct identifier survived`).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('limited-data-set keeps dates and cities but removes names, phones and identifiers', () => {
    const d = deidentifier(builtinProfile('limited-data-set'));
    const input = inputs.get(files.find((f) => f.endsWith('ADT-A01-01.hl7')) ?? '') ?? '';
    const out = d.deidentify(input).text;
    expect(field(out, 'PID', 7)[0]).toBe('198808181126+0215');
    expect(field(out, 'PID', 11)[0]).toContain('Ann Arbor');
    for (const v of ['EVERYMAN', 'ADAM', 'PATID1234', '123456789', '78788788', '1000&Hospital Lane']) expect(out).not.toContain(v);
  });

  it('gives one patient the same pseudonym and date shift in every file, as the factory says', () => {
    const factory = createPatientContextFactory(keyA);
    const d = new Hl7Deidentifier({ factory, methods: new MethodApplier(builtinProfile('date-shift'), keyA, { text }) });
    const seen = new Map<string, Set<string>>();
    for (const [file, input] of inputs) {
      if (!file.includes('msft')) continue;
      const pids = field(input, 'PID', 3);
      const outs = field(d.deidentify(input).text, 'PID', 3);
      pids.forEach((pid, i) => {
        const mr = pid.split('~').find((rep) => rep.split('^')[4] === 'MR')?.split('^')[0];
        if (mr === undefined) return;
        const set = seen.get(mr) ?? new Set();
        set.add(outs[i]?.split('^')[0] ?? '');
        seen.set(mr, set);
      });
    }
    const repeated = [...seen].filter(([, outs]) => outs.size > 0);
    expect(repeated.length).toBeGreaterThan(3);
    for (const [, outs] of repeated) expect(outs.size).toBe(1);
    // Same identity in two messages: the birth date moves by the same shift as the factory's.
    const input = inputs.get(files.find((f) => f.endsWith('ADT-A01-01.hl7')) ?? '') ?? '';
    const ctx = factory.forPatient({ system: 'test1', value: 'PATID1234' }); // CX-4.1 namespace: CX-4.3 is not ISO
    expect(field(d.deidentify(input).text, 'PID', 3)[0]).toBe(`${ctx.pseudonym}^^^^MR`);
    expect(field(d.deidentify(input).text, 'PID', 7)[0]).toBe(`${ctx.shiftIsoDate('1988-08-18').replaceAll('-', '')}1126+0215`);
  });

  it('gives unrelated, unlinkable output under another key', () => {
    const input = inputs.get(files.find((f) => f.endsWith('ADT-A01-01.hl7')) ?? '') ?? '';
    const a = deidentifier(builtinProfile('date-shift'), keyA).deidentify(input).text;
    const b = deidentifier(builtinProfile('date-shift'), keyB).deidentify(input).text;
    const pseudonymsA = a.match(/PG-[0-9A-Z]{26}/g) ?? [];
    expect(pseudonymsA.length).toBeGreaterThan(5);
    for (const p of pseudonymsA) expect(b).not.toContain(p);
    expect(field(a, 'PID', 7)[0]).not.toBe(field(b, 'PID', 7)[0]);
  });
});

describe('Hl7Deidentifier rules', () => {
  const msg = (pid: string, extra = ''): string => `MSH|^~\\&|A|B|C|D|20240102030405||ADT^A01|M1|P|2.5\rPID|1||${pid}||DOE^JANE||19300101|F|||12 Elm St^^Springfield^IL^62704^USA||(217)555-0101|||||ACC-1|123-45-6789\r${extra}`;

  it('reduces dates to the year under Safe Harbor and removes birth dates over 89', () => {
    const out = deidentifier().deidentify(msg('MRN-77^^^HOSP^MR', 'PV1|1|I|W^1^2||||||||||||||||V-9|||||||||||||||||||||||||20240101101010\r')).text;
    expect(field(out, 'MSH', 7)).toEqual(['2024']);
    expect(field(out, 'PID', 7)).toEqual(['']); // 94 years old at the message date
    expect(field(out, 'PID', 11)).toEqual(['^^^IL^627^USA']);
    expect(field(out, 'PID', 13)).toEqual(['']);
    expect(field(out, 'PID', 19)).toEqual(['']);
    expect(field(out, 'PV1', 44)).toEqual(['2024']);
    expect(field(out, 'PV1', 19)[0]).toMatch(/^PG-/);
    const aggregate = parseProfile('id: agg\nversion: "1"\nextends: safe-harbor\nover89: aggregate-birth-year');
    expect(field(deidentifier(aggregate).deidentify(msg('MRN-77^^^HOSP^MR')).text, 'PID', 7)).toEqual(['1934']);
  });

  it('removes the birth dates of relatives, guarantors and insured over 89 too (NK1-16, GT1-8, IN1-18)', () => {
    const extra = ['NK1|1|ROE^EDNA|MTH^Mother|||||||||||||19050304', 'NK1|2|ROE^JO|SIS^Sister|||||||||||||19600101', 'GT1|1||ROE^EDNA||||19070101', 'IN1|1|PLAN1|||||||||||||||ROE^EDNA|MTH|19080101'];
    const out = deidentifier().deidentify(msg('MRN-77^^^HOSP^MR', `${extra.join('\r')}\r`)).text;
    const nk1 = out.split('\r').filter((l) => l.startsWith('NK1'));
    expect(nk1[0]?.split('|')[16] ?? '').toBe('');
    expect(nk1[1]?.split('|')[16]).toBe('1960');
    expect(field(out, 'GT1', 8)).toEqual(['']);
    expect(field(out, 'IN1', 18)).toEqual(['']);
    expect(out).not.toMatch(/190[578]/);
  });

  it('shifts dates per patient under date-shift, keeping time and precision', () => {
    const factory = createPatientContextFactory(keyA);
    const shift = factory.forPatient({ system: 'HOSP', value: 'MRN-77' }).dateShiftDays;
    const out = deidentifier(builtinProfile('date-shift')).deidentify(msg('MRN-77^^^HOSP^MR', 'OBX|1|TS|x^y||202001150830||||||F|||20200115083000.123-0500\r')).text;
    const expected = new Date(Date.UTC(2020, 0, 15) + shift * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    expect(field(out, 'OBX', 5)).toEqual([`${expected}0830`]);
    expect(field(out, 'OBX', 14)).toEqual([`${expected}083000.123-0500`]);
  });

  it('can identify the patient by the SSN (PID-19) or another CX field, and puts the pseudonym in PID-3', () => {
    const factory = createPatientContextFactory(keyA);
    const bySsn = new Hl7Deidentifier({ factory, methods: new MethodApplier(builtinProfile('safe-harbor'), keyA, { text }), identity: { field: 'PID-19' } });
    const out = bySsn.deidentify(msg('MRN-77^^^HOSP^MR')).text;
    const ssnPatient = factory.forPatient({ system: 'ssn', value: '123-45-6789' });
    expect(field(out, 'PID', 3)[0]?.split('~')[0]).toBe(`${ssnPatient.pseudonym}^^^^PI`);
    expect(field(out, 'PID', 19)).toEqual(['']);
    expect(out).not.toContain('123-45-6789');
    const byMpi = new Hl7Deidentifier({ factory, methods: new MethodApplier(builtinProfile('safe-harbor'), keyA, { text }), identity: { field: 'PID-2', system: 'mpi' } });
    const mpiOut = byMpi.deidentify(msg('MRN-77^^^HOSP^MR').replace('PID|1||', 'PID|1|MPI-5^^^MPI^PI|')).text;
    expect(field(mpiOut, 'PID', 3)[0]?.split('~')[0]).toBe(`${factory.forPatient({ system: 'mpi', value: 'MPI-5' }).pseudonym}^^^^PI`);
  });

  it('removes Z-segments and unknown segments by default, keeps them when the profile says so', () => {
    const input = msg('MRN-77^^^HOSP^MR', 'ZPI|1|DOE^JANE\rPRT|1|AD\r');
    const r = deidentifier().deidentify(input);
    expect(r.text).not.toMatch(/ZPI|PRT/);
    expect(r.tally.entries().map((e) => e.rule)).toContain('hl7.ZPI:remove-segment');
    const keepZ = parseProfile('id: z\nversion: "1"\nextends: safe-harbor\nrules:\n  - target: { hl7: "ZPI-*" }\n    method: { kind: keep }');
    expect(deidentifier(keepZ).deidentify(input).text).toContain('ZPI|1|DOE^JANE');
  });

  it('applies path rules from the profile over the table', () => {
    const p = parseProfile('id: r\nversion: "1"\nextends: safe-harbor\nrules:\n  - target: { hl7: "PID-8" }\n    category: other-id\n    method: { kind: substitute, value: U }\n  - target: { hl7: "PID-18" }\n    method: { kind: cryptoHash, length: 12 }');
    const out = deidentifier(p).deidentify(msg('MRN-77^^^HOSP^MR')).text;
    expect(field(out, 'PID', 8)).toEqual(['U']);
    expect(field(out, 'PID', 18)[0]).toMatch(/^[0-9a-f]{12}$/);
  });

  it('reports malformed messages with their place and processes the others', () => {
    const good = msg('MRN-77^^^HOSP^MR');
    const input = `${good}MSH|^~|A|B\rPID|1||X^^^H^MR||SECRET^NAME\r${good}`;
    const r = deidentifier().deidentify(input);
    expect(r.messages).toBe(3);
    expect(r.failed).toBe(1);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe('hl7-bad-encoding');
    expect(r.problems[0]?.place).toMatchObject({ line: 3, segment: 'MSH', field: '2', index: 2 });
    expect(r.problems[0]?.describe()).not.toContain('SECRET');
    expect(r.text).not.toContain('SECRET');
    expect(field(r.text, 'PID', 3)).toHaveLength(2);
    const orphan = deidentifier().deidentify(`PID|1||X^^^H^MR||SECRET^NAME\r${good}`);
    expect(orphan.problems[0]?.code).toBe('hl7-no-msh');
    expect(orphan.text).not.toContain('SECRET');
  });

  it('never leaks seeded identifiers, also when repeated in OBX and NTE text, under random encoding characters', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{4,9}$/);
    const digits = fc.stringMatching(/^[1-9]\d{8}$/);
    fc.assert(
      fc.property(encodingArb, word, word, word, word, digits, digits, (enc, family, given, street, city, ssn, mrn) => {
        const { field: f, component: c, repetition: r } = enc;
        const e = `${c}${r}${enc.escape}${enc.subcomponent}${enc.truncation}`;
        const lines = [
          `MSH${f}${e}${f}A${f}B${f}C${f}D${f}20240102${f}${f}ORU${c}R01${f}1${f}P${f}2.5`,
          `PID${f}1${f}${f}${mrn}${c}${c}${c}H${c}MR${f}${f}${family}${c}${given}${f}${f}19800101${f}F${f}${f}${f}${street} Road${c}${c}${city}${c}IL${c}62704${f}${f}555${ssn.slice(0, 7)}${f}${f}${f}${f}${f}${f}${ssn}`,
          `NK1${f}1${f}${family}${c}Mary${f}MTH`,
          `OBX${f}1${f}TX${f}note${f}${f}${encodeHl7Text(`Seen ${given} ${family.toUpperCase()} of ${street} Road, ${city}; MRN ${mrn}, SSN ${ssn.slice(0, 3)}-${ssn.slice(3, 5)}-${ssn.slice(5)}`, enc)}`,
          `NTE${f}1${f}${f}${encodeHl7Text(`call ${given.toLowerCase()} at (555) ${ssn.slice(0, 3)}-${ssn.slice(3, 7)}; born 01/01/1980`, enc)}`,
          `ZXX${f}${family}`,
        ];
        const out = deidentifier().deidentify(lines.join('\r')).text;
        for (const v of [family, given, street, city, ssn, mrn, `555${ssn.slice(0, 7)}`]) expect(leaks(out, v)).toBe(false);
        expect(out).not.toContain(encodeHl7Text('01/01/1980', enc));
      }),
      { numRuns: 150 },
    );
  });

  it('never leaks a seeded identifier placed at a random identifying position among random segments', () => {
    // Positions whose whole component 1 is an identifier of the patient, a relative, an employer or the insured.
    const positions: readonly (readonly [string, number])[] = [
      ['PID', 5], ['PID', 6], ['PID', 9], ['PID', 11], ['PID', 13], ['PID', 14], ['PID', 19], ['PID', 20], ['NK1', 2], ['NK1', 4], ['NK1', 5], ['NK1', 30],
      ['GT1', 3], ['GT1', 5], ['GT1', 6], ['GT1', 12], ['GT1', 16], ['IN1', 16], ['IN1', 19], ['IN1', 36], ['IN2', 2], ['IN2', 49], ['IN2', 61], ['MRG', 7], ['PV1', 7], ['ORC', 12],
    ];
    const seeded = fc.stringMatching(/^[A-Z][A-Z0-9]{5,11}$/).filter((v) => /\d/.test(v) && /[A-Z]{2}/.test(v));
    fc.assert(
      fc.property(messageArb, fc.array(fc.tuple(fc.constantFrom(...positions), seeded, fc.nat(2), fc.nat(2)), { minLength: 1, maxLength: 4 }), (m, seeds) => {
        const { enc } = m;
        const lines = m.text.split(m.terminator).filter((l) => l !== '');
        for (const [[seg, n], value, rep, comp] of seeds) {
          const fields = [seg, ...Array.from({ length: n }, () => '')];
          fields[n] = `${enc.repetition.repeat(rep)}${enc.component.repeat(comp)}${value}`;
          lines.splice(1 + (value.length % lines.length), 0, fields.join(enc.field));
          // The same value repeated in free text.
          lines.push(['NTE', '1', '', encodeHl7Text(`see ${value} again`, enc)].join(enc.field));
        }
        for (const profile of ['safe-harbor', 'date-shift', 'limited-data-set'] as const) {
          const out = deidentifier(builtinProfile(profile)).deidentify(lines.join(m.terminator)).text;
          for (const [[seg, n], value, , comp] of seeds) {
            // A limited data set keeps city and ZIP (XAD components 3 and 5).
            const keptByLds = profile === 'limited-data-set' && ['PID-11', 'NK1-4', 'GT1-5', 'IN1-19'].includes(`${seg}-${String(n)}`) && (comp === 2 || comp === 4);
            if (!keptByLds) expect(out.includes(value), `${profile} ${seg}-${String(n)}`).toBe(false);
          }
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
    );
  });
});
