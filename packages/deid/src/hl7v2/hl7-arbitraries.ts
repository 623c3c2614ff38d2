// Test support: fast-check arbitraries of HL7 v2 structure (encoding characters, fields with
// repetitions, components and subcomponents, segments, messages, framing).
import fc from 'fast-check';
import type { Hl7Encoding } from './hl7-encoding.ts';
import { serializeField, type Hl7Field } from './hl7-structure.ts';

const DELIMITERS = ['|', '^', '~', '\\', '&', '#', '!', '@', '$', '%', '*', '+', '/', ':', ';', '<', '=', '>', '?', '_', '`', '{', '}'];

/** Five or six distinct delimiters in random roles (the sixth is the v2.7 truncation character). */
export const encodingArb: fc.Arbitrary<Hl7Encoding> = fc
  .tuple(fc.shuffledSubarray(DELIMITERS, { minLength: 6, maxLength: 6 }), fc.boolean())
  .map(([d, truncation]) => ({
    field: d[0] ?? '|',
    component: d[1] ?? '^',
    repetition: d[2] ?? '~',
    escape: d[3] ?? '\\',
    subcomponent: d[4] ?? '&',
    truncation: truncation ? (d[5] ?? '') : '',
  }));

/** Plain values: letters, digits, space and punctuation that no encoding above uses. */
export const valueArb: fc.Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9 .,'()-]{0,12}$/);

export const fieldArb: fc.Arbitrary<Hl7Field> = fc.array(fc.array(fc.array(valueArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });

export const segmentIdArb: fc.Arbitrary<string> = fc.constantFrom('PID', 'PV1', 'OBX', 'NTE', 'NK1', 'ZPI', 'ZX1', 'OBR', 'ORC', 'GT1', 'IN1', 'AL1', 'DG1');

export interface GeneratedMessage {
  readonly enc: Hl7Encoding;
  readonly segments: readonly { readonly id: string; readonly fields: readonly Hl7Field[] }[];
  readonly terminator: string;
  readonly text: string;
}

function mshText(enc: Hl7Encoding, version: string): string {
  const f = enc.field;
  return `MSH${f}${enc.component}${enc.repetition}${enc.escape}${enc.subcomponent}${enc.truncation}${f}APP${f}FAC${f}RCV${f}RFAC${f}20240102030405${f}${f}ADT${enc.component}A01${f}MSG1${f}P${f}${version}`;
}

/** A message with random delimiters, segments and terminator (CR, LF or CRLF). */
export const messageArb: fc.Arbitrary<GeneratedMessage> = fc
  .record({
    enc: encodingArb,
    version: fc.constantFrom('2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.8'),
    segments: fc.array(fc.record({ id: segmentIdArb, fields: fc.array(fieldArb, { minLength: 1, maxLength: 8 }) }), { minLength: 1, maxLength: 6 }),
    terminator: fc.constantFrom('\r', '\n', '\r\n'),
  })
  .map(({ enc, version, segments, terminator }) => {
    const lines = [mshText(enc, version), ...segments.map((s) => [s.id, ...s.fields.map((f) => serializeField(f, enc))].join(enc.field))];
    return { enc, segments, terminator, text: lines.map((l) => l + terminator).join('') };
  });

// Text that looks like HL7: segment ids, delimiters, escapes, dates, terminators, framing bytes.
export const hl7ish: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom('MSH|^~\\&|', 'MSH|^~|', 'MSH^~|\\&', 'PID|', 'PV1|', 'OBX|', 'NTE|', 'NK1|', 'ZPI|', 'FHS|^~\\&|', 'BTS|', 'pid|'),
      fc.constantFrom('|', '^', '~', '\\', '&', '\\F\\', '\\X0D\\', '\\C2842\\', '\\.br\\', '\r', '\n', '\r\n', '\x0B', '\x1C\r', '\uFEFF', '""'),
      fc.constantFrom('19300101', '20240102030405+0100', '2024', 'MR', 'SS', 'TX', 'DT', '30525-0', '95', '12345', 'DOE^JANE'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));
