import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceDecodeHl7Text, referenceEncodeHl7Text } from '../../test-oracles/hl7v2-reference/reference-escape.ts';
import { encodingArb } from './hl7-arbitraries.ts';
import { decodeHl7Text, encodeHl7Text } from './hl7-escape.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';

// The run-copying codec against the character-by-character one it replaced: the same text and the
// same opaque sequences for any input, delimiters and escape sequences (well-formed or not) included.
const runs = Number(process.env.FUZZ_RUNS ?? 1000);

/** Text made of plain runs, the encoding's delimiters, escape sequences (known, hex, opaque, broken), line breaks and U+FFFC. */
const textArb = (enc: Hl7Encoding): fc.Arbitrary<string> => {
  const e = enc.escape;
  return fc
    .array(
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9 .,'()-]{0,8}$/),
        fc.constantFrom(enc.field, enc.component, enc.repetition, enc.subcomponent, e, enc.truncation, '\r', '\n', '\r\n', '\uFFFC', 'é', '中'),
        fc.constantFrom('F', 'S', 'T', 'R', 'E', 'P', '.br', 'H', 'N', 'X41', 'X4a6f', 'X4', 'C2842', 'M2442', 'Zx', '', '.sp').map((b) => `${e}${b}${e}`),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 24 },
    )
    .map((parts) => parts.join(''));
};

describe('HL7 escape codec against the character-by-character reference', () => {
  it('decodes to the same text and opaque sequences', () => {
    fc.assert(
      fc.property(encodingArb.chain((enc) => fc.tuple(fc.constant(enc), textArb(enc))), ([enc, raw]) => {
        expect(decodeHl7Text(raw, enc)).toEqual(referenceDecodeHl7Text(raw, enc));
      }),
      { numRuns: runs },
    );
  });

  it('encodes to the same text, opaque sequences put back in order', () => {
    fc.assert(
      fc.property(
        encodingArb.chain((enc) => fc.tuple(fc.constant(enc), textArb(enc), fc.array(fc.constantFrom('\\C2842\\', '#Zx#', ''), { maxLength: 3 }))),
        ([enc, text, opaque]) => {
          expect(encodeHl7Text(text, enc, opaque)).toBe(referenceEncodeHl7Text(text, enc, opaque));
        },
      ),
      { numRuns: runs },
    );
  });

  it('decodes what it encodes (text without U+FFFC or a lone CR)', () => {
    fc.assert(
      fc.property(encodingArb.chain((enc) => fc.tuple(fc.constant(enc), textArb(enc))), ([enc, text]) => {
        const plain = text.replaceAll('\uFFFC', '').replaceAll('\r\n', '\n').replaceAll('\r', '\n');
        expect(decodeHl7Text(encodeHl7Text(plain, enc), enc)).toEqual({ text: plain, opaque: [] });
      }),
      { numRuns: runs },
    );
  });
});
