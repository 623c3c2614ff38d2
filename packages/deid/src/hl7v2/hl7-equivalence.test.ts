import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { builtinProfile, parseProfile } from '../profiles/load-profile.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import type { LoadedProfile } from '../profiles/deid-profile.ts';
import { Hl7Deidentifier, type Hl7DeidResult } from './hl7-deidentifier.ts';
import { ReferenceHl7Deidentifier } from '../../test-oracles/hl7v2-reference/reference-deidentifier.ts';
import { corpusHl7Files, readCorpusText } from './hl7-test-corpus.ts';
import { encodingArb, hl7ish, messageArb } from './hl7-arbitraries.ts';
import { encodeHl7Text } from './hl7-escape.ts';
import { parseHl7Document } from './hl7-document.ts';
import { collectKnownIdentifiers, knownIdentifierPlan } from './hl7-known-identifiers.ts';
import { HL7_SAFE_HARBOR_TABLE } from './hl7-safe-harbor-table.ts';
import { segmentFields } from './hl7-structure.ts';
import { MALFORMED_CASES, malformedInput } from './hl7-malformed-cases.ts';
import * as referenceKnown from '../../test-oracles/hl7v2-reference/reference-known-identifiers.ts';

// The fast path (plans, one-pass scanner, slot counts) against the field-array implementation it
// replaced (packages/deid/test-oracles/hl7v2-reference/): same text, counts (in the same order), problems, on every corpus file and
// on generated messages, under the built-in profiles and custom ones with path rules. The reference
// has its own plain version of the malformed-shape rules (docs/deid/hl7v2.md, "Malformed and unusual
// shapes"; the kept-field check in reference-known-values.ts), so both run with them.
const key = deidKeyFromSecret(new Uint8Array(32).fill(21));
const runs = Number(process.env.FUZZ_RUNS ?? 200);

const PROFILES: readonly LoadedProfile[] = [
  builtinProfile('safe-harbor'),
  builtinProfile('date-shift'),
  builtinProfile('limited-data-set'),
  parseProfile(
    [
      'id: custom',
      'version: "1"',
      'extends: safe-harbor',
      'unknown: keep',
      'over89: aggregate-birth-year',
      'kinds:',
      '  safe: { kind: cryptoHash, length: 8 }',
      '  name: { kind: generalize, to: prefix, length: 1 }',
      'rules:',
      '  - target: { hl7: "PID-8" }',
      '    category: other-id',
      '    method: { kind: substitute, value: U }',
      '  - target: { hl7: "PID-18" }',
      '    method: { kind: cryptoHash, length: 12 }',
      '  - target: { hl7: "PID-40" }',
      '    method: { kind: keep }',
      '  - target: { hl7: "NTE-3" }',
      '    method: { kind: text }',
      '  - target: { hl7: "OBR-*" }',
      '    method: { kind: redact }',
      '  - target: { hl7: "ZPI-*" }',
      '    method: { kind: redact }',
    ].join('\n'),
  ),
];

function pair(profile: LoadedProfile): [Hl7Deidentifier, ReferenceHl7Deidentifier] {
  const text = new KnownIdentifiersTextDeidentifier();
  const options = { factory: createPatientContextFactory(key), methods: new MethodApplier(profile, key, { text }), referenceDate: '2026-11-24' };
  const reference = { ...options, factory: createPatientContextFactory(key), methods: new MethodApplier(profile, key, { text }) };
  return [new Hl7Deidentifier(options), new ReferenceHl7Deidentifier(reference)];
}

function comparable(r: Hl7DeidResult): unknown {
  return {
    text: r.text,
    messages: r.messages,
    failed: r.failed,
    tally: r.tally.entries(),
    problems: r.problems.map((p) => ({ code: p.code, message: p.message, place: p.place })),
  };
}

const pairs = PROFILES.map((p) => ({ id: p.profile.id, pair: pair(p) }));

describe('HL7 v2 fast path = reference implementation', () => {
  for (const { id, pair: [fast, reference] } of pairs) {
    it(`${id}: byte-identical output, counts and problems on every corpus file`, () => {
      const files = corpusHl7Files();
      expect(files.length).toBeGreaterThan(100);
      for (const file of files) {
        const input = readCorpusText(file);
        expect(comparable(fast.deidentify(input)), file).toEqual(comparable(reference.deidentify(input)));
      }
    });
  }

  it('on generated messages (random delimiters, segments, terminators) and HL7-like junk (framing, envelopes, bad MSH), every profile', () => {
    fc.assert(
      fc.property(fc.oneof(messageArb.map((m) => m.text), hl7ish), (text) => {
        for (const { pair: [fast, reference] } of pairs) expect(comparable(fast.deidentify(text))).toEqual(comparable(reference.deidentify(text)));
      }),
      { numRuns: runs },
    );
  });

  it('on identifiers in malformed and unusual shapes (hl7-malformed-shapes.test.ts), every profile', () => {
    for (const { name, segments } of MALFORMED_CASES) {
      const text = malformedInput(segments);
      for (const { id, pair: [fast, reference] } of pairs) expect(comparable(fast.deidentify(text)), `${id}: ${name}`).toEqual(comparable(reference.deidentify(text)));
    }
  });

  it('on messages whose identifiers reappear in kept fields, text, nulls and past the table', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{1,8}$/);
    const id = fc.stringMatching(/^[A-Z0-9]{2,10}$/);
    // $F, $G, $M stand for the patient's family name, given name and MRN (and $m for the MRN lower-cased).
    const value = fc.oneof(word, id, fc.constantFrom('$F', '$G', '$M', '$m', ' $F ', '$F\u00a0', '\ufeff$M', '""', '', ' x ', '19300101', '20240102030405+0100', 'Äbc', 'TX', 'NM'));
    fc.assert(
      fc.property(encodingArb, word, word, id, id, fc.array(fc.tuple(fc.constantFrom('PV1', 'OBX', 'NTE', 'NK1', 'ORC', 'SPM', 'ZPI', 'AL1'), fc.array(value, { maxLength: 60 })), { maxLength: 6 }), (enc, family, given, mrn, other, extra) => {
        const e = (s: string): string => encodeHl7Text(s.replace('$F', family).replace('$G', given).replace('$M', mrn).replace('$m', mrn.toLowerCase()), enc);
        const f = enc.field;
        const c = enc.component;
        const segments = [
          `MSH${f}${c}${enc.repetition}${enc.escape}${enc.subcomponent}${enc.truncation}${f}APP${f}FAC${f}${f}${f}20240102${f}${f}ORU${c}R01${f}M1${f}P${f}2.5.1`,
          `PID${f}1${f}${e(other)}${f}${e(mrn)}${c}${c}${c}H${c}MR${enc.repetition}${e(other)}${c}${c}${c}${c}SS${f}${f}${e(family)}${c}${e(given)}${f}${f}19200101`,
          ...extra.map(([seg, values]) => [seg, ...values.map(e)].join(f)),
          `OBX${f}1${f}TX${f}X${f}${f}${e(`${given} ${family} ${mrn}`)}`,
          `NTE${f}1${f}${f}${e(`${family}, call ${other}`)}`,
        ];
        const text = `${segments.join('\r')}\r`;
        for (const { pair: [fast, reference] } of pairs) expect(comparable(fast.deidentify(text))).toEqual(comparable(reference.deidentify(text)));
      }),
      { numRuns: runs },
    );
  });

  it('on coded values (OBX-5 CE, CWE, CNE, CF, coded table fields, person locations and specimen sources) with and without codes beside their text, every profile', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{1,8}$/);
    // $F and $G stand for the patient's family and given name; texts mix them with other words, dates and phones.
    const text = fc.array(fc.oneof(word, fc.constantFrom('$F', '$G', 'mother', 'called', '3/1/2024', '617-555-0199', 'Positive', '""')), { maxLength: 6 }).map((w) => w.join(' '));
    const component = fc.oneof(text, fc.constantFrom('', 'LA6576-8', 'LN', 'L', '8251-1', 'SCT'));
    // The same value in a coded table field (`cwe`): field n of the segment, the rest empty.
    // And in a person location (`pl`), whose component 9 is free text, and a specimen source (`sps`, OBR-15).
    const codedField = fc.constantFrom<[string, number]>(['PV2', 3], ['ORC', 16], ['OBR', 31], ['DG1', 3], ['AL1', 3], ['NK1', 3], ['SCH', 7], ['OBX', 3], ['PV1', 3], ['PV1', 42], ['PV2', 1], ['ORC', 13], ['SCH', 15], ['OBR', 15]);
    fc.assert(
      fc.property(encodingArb, word, word, fc.constantFrom('CE', 'CWE', 'CNE', 'CF', 'cwe '), fc.array(fc.array(component, { maxLength: 10 }), { minLength: 1, maxLength: 3 }), codedField, (enc, family, given, type, reps, [seg, n]) => {
        const e = (s: string): string => encodeHl7Text(s.replaceAll('$F', family).replaceAll('$G', given), enc);
        const f = enc.field;
        const c = enc.component;
        const value = reps.map((comps) => comps.map(e).join(c)).join(enc.repetition);
        const segments = [
          `MSH${f}${c}${enc.repetition}${enc.escape}${enc.subcomponent}${enc.truncation}${f}APP${f}FAC${f}${f}${f}20240102${f}${f}ORU${c}R01${f}M1${f}P${f}2.5.1`,
          `PID${f}1${f}${f}MRN1${c}${c}${c}H${c}MR${f}${f}${e(family)}${c}${e(given)}${f}${f}19600101`,
          `OBX${f}1${f}${type}${f}8251-1${c}Comment${c}LN${f}${f}${value}${f}${f}${f}${f}${f}${f}F`,
          `${seg}${f.repeat(n)}${value}`,
        ];
        const input = `${segments.join('\r')}\r`;
        for (const { pair: [fast, reference] } of pairs) expect(comparable(fast.deidentify(input))).toEqual(comparable(reference.deidentify(input)));
      }),
      { numRuns: runs },
    );
  });

  it('collects the same known identifiers, in the same order, from every corpus message and generated ones', () => {
    const plan = knownIdentifierPlan(HL7_SAFE_HARBOR_TABLE);
    const oldPlan = referenceKnown.knownIdentifierPlan(HL7_SAFE_HARBOR_TABLE);
    const same = (text: string): void => {
      const doc = parseHl7Document(text);
      for (const m of doc.messages) {
        if (!m.ok) continue;
        const segments = doc.lines.slice(m.start, m.end).map((l) => l.text);
        const old = referenceKnown.collectKnownIdentifiersFromFields(segments.map((t) => segmentFields(t, m.encoding)), m.encoding, oldPlan);
        expect(collectKnownIdentifiers(segments, m.encoding, plan)).toEqual(old);
      }
    };
    for (const file of corpusHl7Files()) same(readCorpusText(file));
    fc.assert(fc.property(fc.oneof(messageArb.map((m) => m.text), hl7ish), same), { numRuns: runs });
  });
});
