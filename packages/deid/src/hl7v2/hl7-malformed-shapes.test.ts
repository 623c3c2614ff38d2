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

// Identifiers in unusual or malformed shapes (docs/deid/hl7v2.md, "Malformed and unusual shapes"):
// none of the seeded values may survive. Each case that leaked before the rules also shows the
// leak with `legacyShapes` (the behaviour before them), so the test proves the rule does the work.
const key = deidKeyFromSecret(new Uint8Array(32).fill(31));
const text = new KnownIdentifiersTextDeidentifier();

function deidentifier(profile: string, legacyShapes = false): Hl7Deidentifier {
  return new Hl7Deidentifier({ factory: createPatientContextFactory(key), methods: new MethodApplier(builtinProfile(profile), key, { text }), referenceDate: '2026-11-24', legacyShapes });
}

const SEEDS = ['95', 'Zebulon', 'Quixote', '123-45-6789', '123456789', '555-867-5309', '5558675309', '867-5309', '12 Main St', 'Gotham', '19500504', '1950-05-04', '05/04/1950', '0504', 'MRN98765'];
const MSH = 'MSH|^~\\&|A|B|C|D|20240102030405||ADT^A01|M1|P|2.5';
const PID = 'PID|1||MRN98765^^^H^MR||Quixote^Zebulon||19500504|M|||12 Main St^^Gotham^NY^10001||555-867-5309|||||ACC1|123-45-6789';
const ID_ONLY = 'PID|1||MRN98765^^^H^MR';

/** [name, segments, whether it leaked before the rules]. */
const CASES: readonly (readonly [string, readonly string[], boolean])[] = [
  // Names in shapes the collector did not read: past XPN-6, or whole in one component.
  ['PID-5 name in component 10, named again in text', [`${ID_ONLY}||^^^^^^^^^Zebulon Quixote`, 'OBX|1|TX|x||seen Zebulon today'], true],
  ['PID-5 name whole in component 1, named by one word in text', [`${ID_ONLY}||Zebulon Quixote`, 'OBX|1|TX|x||seen Quixote today', 'NTE|1||Mr. Quixote, Zebulon'], true],
  ['NK1-2 name as "Family, Given"', [ID_ONLY, 'NK1|1|Quixote, Zebulon|SPO', 'NTE|1||ask Zebulon'], true],
  // Known identifiers inside the text of fields the table keeps (codes, CE/CWE text, flags).
  ['name in PV1-3 point of care text', [MSH, PID, 'PV1|1|I|Zebulon Quixote^12 Main St'], true],
  ['name in NTE-2 (source of comment, a code)', [MSH, PID, 'NTE|1|Zebulon Quixote|ok'], true],
  ['name in OBX-5 CE text', [MSH, PID, 'OBX|1|CE|x||C1^Zebulon Quixote^L^C2^Zebulon^L^^^Quixote'], true],
  ['name in OBX-5 CWE text, words reversed', [MSH, PID, 'OBX|1|CWE|x||C1^Quixote Zebulon'], true],
  ['name in AL1-3 and DG1-3 text', [MSH, PID, 'AL1|1|DA|x^Zebulon Quixote', 'DG1|1|I10|x^Zebulon Quixote'], true],
  ['name in SPM-4 text and PV2-3', [MSH, PID, 'SPM|1|S1|S2|BLD^Zebulon Quixote', 'PV2|x|x|Zebulon Quixote reason'], true],
  ['city in IN1-4, the insurer name', [MSH, PID, 'IN1|1|P|I1|Gotham Ins'], true],
  ['phone and SSN in a kept field', [MSH, PID, 'PV1|1|I|call 555-867-5309^ssn 123-45-6789'], true],
  // Ids, phones and the birth date in kept fields written with other separators, or none.
  ['birth date in kept fields, three spellings', [MSH, PID, 'PV1|1|I|born 19500504^1950-05-04', 'OBX|1|NM|x||19500504', 'OBX|2|CE|x||x^DOB 05/04/1950'], true],
  ['phone and SSN as digits or grouped otherwise', [MSH, PID, 'OBX|1|CE|x||(555) 867-5309', 'OBX|2|NM|x||5558675309', 'OBX|3|NM|x||123456789', 'PV1|1|I|local 867-5309'], true],
  // An age over 89 under a local code (the LOINC age codes were already handled).
  ['age over 89 under a local OBX-3', [MSH, PID, 'OBX|1|NM|AGE^Age^L||95|a', 'OBX|2|ST|^Patient age||95 years'], true],
  // OBX-2 that lies: NM or SN holding text.
  ['OBX-5 NM holding text', [MSH, PID, 'OBX|1|NM|x||Zebulon Quixote 555-867-5309'], true],
  ['OBX-5 SN holding text', [MSH, PID, 'OBX|1|SN|x||^Zebulon Quixote'], true],
  // Address components kept as codes or regions.
  ['XAD-7 (address type) holding the street', [MSH, 'PID|1||MRN98765^^^H^MR||X^Y||||||^^^^^^12 Main St'], true],
  ['XAD-4 (state) holding a name', [MSH, 'PID|1||MRN98765^^^H^MR||X^Y||||||^^^Zebulon Quixote^^Gotham'], true],
  ['XAD with subcomponents everywhere', [MSH, 'PID|1||MRN98765^^^H^MR||X^Y||||||12 Main St&Main St&12^^Gotham&x^NY&Gotham^10001&Gotham^USA&Gotham^H&Gotham'], true],
  // Dates: TS-2 is the precision code; anything else there is removed.
  ['birth date in TS component 2 and 3', [MSH, 'PID|1||MRN98765^^^H^MR||X||1980^19500504^0504'], true],
  ['EVN-3 with a second component', [MSH, 'EVN|A01|20240101|19500504^0504', PID], true],
  // CX-5 is written back after the pseudonym: only as a code.
  ['PID-3 type with subcomponents', [MSH, 'PID|1||MRN98765&123-45-6789^Zebulon^Quixote^H&Zebulon^MR&Quixote^Gotham'], true],
  // Batch envelope comments (no patient's identifiers to check them against): now removed by the
  // table itself, which `legacyShapes` shares, so the flag does not bring the leak back.
  ['FHS-10, BHS-10, BTS-2, FTS-2 comments', ['FHS|^~\\&|A|B|C|D|20240101||x|Zebulon Quixote 123-45-6789', 'BHS|^~\\&|A|B|C|D|20240101||x|Zebulon Quixote', MSH, PID, 'BTS|1|Zebulon Quixote 123-45-6789', 'FTS|1|Zebulon Quixote'], false],
  // Shapes that were already handled: kept here so they stay so.
  ['PID-5 with ten components', [MSH, 'PID|1||MRN98765^^^H^MR||Quixote^Zebulon^^^^^^^^Zebulon Quixote'], false],
  ['PID-40, past the table', [MSH, `PID|1||MRN98765^^^H^MR||X^Y${'|'.repeat(35)}Zebulon Quixote`], false],
  ['two PID segments, the second in an order group', [MSH, PID, 'ORC|NW|P1|F1', 'PID|1||MRN2^^^H^MR||Quixote^Zebulon||19500504|M|||12 Main St^^Gotham||555-867-5309'], false],
  ['Z-segment and unknown segment', [MSH, PID, 'ZPD|1|Zebulon Quixote|123-45-6789', 'PRT|1|AD|Zebulon Quixote'], false],
  ['free text hiding the name behind escapes', [MSH, PID, 'OBX|1|FT|x||Zeb\\H\\ulon \\X5175\\ixote\\.br\\12 Main\\T\\St', 'NTE|1||Zeb\\N\\ulon Quix\\H\\ote'], false],
  ['OBX-2 missing, ED, lower case, with components', [MSH, PID, 'OBX|1||x||Zebulon Quixote', 'OBX|2|ED|x||^TEXT^^A^Zebulon Quixote', 'OBX|3| tx |x||Zebulon Quixote', 'OBX|4|TX^ST|x||Zebulon Quixote'], false],
  ['dates in odd formats', [MSH, 'PID|1||MRN98765^^^H^MR||X||1950-05-04', 'PV1|1|I||||||||||||||||||||||||||||||||||||||||||19500504123000+0500~195005'], false],
  ['repetitions past the first', [MSH, 'PID|1||MRN98765^^^H^MR||X^Y~Quixote^Zebulon||19800101~19500504|||||~12 Main St^^Gotham||~555-867-5309|||||||~123-45-6789'], false],
  ['non-default delimiters', ['MSH|$*%@|A|B|C|D|20240102030405||ADT$A01|M1|P|2.5', 'PID|1||MRN98765$$$H$MR||Quixote$Zebulon*Quixote$Zebulon||19500504|M|||12 Main St$$Gotham', 'OBX|1|TX|x||Zebulon ^ Quixote ~ 12 Main St'], false],
  ['v2.7 truncation character', ['MSH|^~\\&#|A|B|C|D|20240102030405||ADT^A01|M1|P|2.7', 'PID|1||MRN98765^^^H^MR||Quixote#^Zebulon||19500504', 'OBX|1|TX|x||Zebulon Quixote#'], false],
  ['lower-case or padded segment id (the message is refused)', [MSH, 'pid|1||MRN98765^^^H^MR||Quixote^Zebulon', 'PID |1||MRN98765^^^H^MR||Quixote^Zebulon'], false],
  ['a very long text field', [MSH, PID, `NTE|1||${'abc '.repeat(20000)}Zebulon Quixote`], false],
];

describe('HL7 v2 identifiers in malformed and unusual shapes', () => {
  for (const [name, segments, leakedBefore] of CASES) {
    it(`${name}: nothing seeded survives${leakedBefore ? ' (it did before the rules)' : ''}`, () => {
      const joined = segments.join('\r').startsWith('MSH') || segments[0]?.startsWith('FHS') ? segments.join('\r') : [MSH, ...segments].join('\r');
      for (const terminator of ['\r', '\n', '\r\n']) {
        const input = joined.replaceAll('\r', terminator);
        for (const profile of ['safe-harbor', 'date-shift']) {
          const r = deidentifier(profile).deidentify(input);
          for (const s of SEEDS) expect(leaks(r.text, s), `${profile}: ${s}`).toBe(false);
          for (const p of r.problems) for (const s of SEEDS) expect(p.describe()).not.toContain(s);
        }
      }
      if (leakedBefore) {
        const before = deidentifier('safe-harbor', true).deidentify(joined).text;
        expect(SEEDS.some((s) => leaks(before, s))).toBe(true);
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
