import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hl7DateToIso, hl7DateToIsoScan } from './hl7-date.ts';

// The hand-written scanner (hot path) against the regular expressions that define the DTM form.
describe('hl7DateToIsoScan', () => {
  it('equals hl7DateToIso on DTM-like strings and on anything', () => {
    const piece = fc.constantFrom('2024', '01', '31', '12', '59', '.', '.1234', '.12345', '+0100', '-0500', '+01', 'T', ' ', '\n', 'Z', '0', '9', '');
    const dtmish = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(dtmish, fc.string(), fc.stringMatching(/^[0-9.+-]{0,20}$/)), (s) => {
        expect(hl7DateToIsoScan(s)).toEqual(hl7DateToIso(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads the forms of HL7 v2.8 Ch. 2A §2A.2.21', () => {
    for (const s of ['2024', '202401', '20240131', '2024013112', '202401311259', '20240131125959.1234', '20240131125959.1234+0100', '2024+0100', '20240131-0500', '2024013', '20240131125959.', '2024a', '20240131 ']) {
      expect(hl7DateToIsoScan(s), s).toEqual(hl7DateToIso(s));
    }
  });
});
