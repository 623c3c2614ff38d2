import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';
import { textsTaken } from './hl7-typed-text-test-support.ts';
import { mapSpecimenText, mayHoldSpecimenText } from './hl7-specimen-source-text.ts';

const enc = DEFAULT_ENCODING;
const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const texts = (raw: string): string[] => textsTaken(mapSpecimenText, raw, enc);

describe('specimen source free text (OBR-15, SPS)', () => {
  it('takes the collection method, uncoded additives and the uncoded text of coded components', () => {
    expect(texts('BLD')).toEqual([]);
    expect(texts('BLDV&Blood venous&HL70070')).toEqual([]);
    expect(texts('SP15&1.2&L^ACDA^Collection Method^BN&223.3&L')).toEqual(['ACDA', 'Collection Method']); // a bare additive may be v2.3 text
    // v2.3 CM_SPS: additives and free text are TX.
    expect(texts('URINE^boric acid added by Ann Roe^clean catch at home')).toEqual(['boric acid added by Ann Roe', 'clean catch at home']);
    // A coded component with no code, only text, and CWE-9 original text.
    expect(texts('&wound swab by Nurse Opal^^^&left shin near scar from 1998 fall')).toEqual(['wound swab by Nurse Opal', 'left shin near scar from 1998 fall']);
    expect(texts('BLDV&Blood venous&HL70070&&&&&&drawn by J. Roe')).toEqual(['drawn by J. Roe']);
    expect(texts('BLD^^""~^^venipuncture, daughter Mary held arm')).toEqual(['venipuncture, daughter Mary held arm']);
    expect(mapSpecimenText('BLD^EDTA&EDTA&HL70371^sample by Mary~UR', enc, (v) => v.toUpperCase())).toBe('BLD^EDTA&EDTA&HL70371^SAMPLE BY MARY~UR');
  });

  it('the in-place prefilter never skips a field whose text the rule would take', () => {
    const field = fc.array(fc.constantFrom('^', '~', '&', ' ', 'a', 'BLD', '""'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(field, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (raw, before, after) => {
        const line = `${before}${raw}${after}`;
        if (texts(raw).length > 0) expect(mayHoldSpecimenText(line, before.length, before.length + raw.length, enc)).toBe(true);
        expect(mapSpecimenText(raw, enc, (v) => v)).toBe(raw);
      }),
      { numRuns: runs },
    );
  });

  it('the prefilter passes a bare code', () => {
    expect(mayHoldSpecimenText('BLD', 0, 3, enc)).toBe(false);
    expect(mayHoldSpecimenText('BLD~UR', 0, 6, enc)).toBe(false);
  });
});
