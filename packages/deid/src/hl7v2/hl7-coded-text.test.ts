import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapCodedText, mayHoldCodedText } from './hl7-coded-text.ts';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';
import { textsTaken } from './hl7-typed-text-test-support.ts';

const enc = DEFAULT_ENCODING;
const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const texts = (raw: string): string[] => textsTaken(mapCodedText, raw, enc);

describe('coded entry free text (CE/CWE/CNE)', () => {
  it('takes the text with no code beside it, alternate text with no alternate code, and original text', () => {
    expect(texts('^Fell at home^')).toEqual(['Fell at home']);
    expect(texts('  ^Fell at home')).toEqual(['Fell at home']);
    expect(texts('R55^Syncope^I10')).toEqual([]);
    expect(texts('R55^Syncope^I10^^per wife Ann^L')).toEqual(['per wife Ann']);
    expect(texts('R55^Syncope^I10^X1^Faint^L')).toEqual([]);
    expect(texts('R55^Syncope^I10^^^^^^fainted at church')).toEqual(['fainted at church']);
    expect(texts('^""^')).toEqual([]);
    expect(texts('R55~^typed~A^B')).toEqual(['typed']);
    expect(mapCodedText('R55~^typed~A^B', enc, (v) => v.toUpperCase())).toBe('R55~^TYPED~A^B');
  });

  it('the in-place prefilter never skips a field whose text the rule would take', () => {
    const field = fc.array(fc.constantFrom('^', '~', ' ', 'a', 'B1', '""', '&'), { maxLength: 24 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(field, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (raw, before, after) => {
        const line = `${before}${raw}${after}`;
        if (texts(raw).length > 0) expect(mayHoldCodedText(line, before.length, before.length + raw.length, enc)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('the prefilter passes a bare code and code^display^system, the common shapes', () => {
    expect(mayHoldCodedText('I', 0, 1, enc)).toBe(false);
    expect(mayHoldCodedText('71020^CHEST XRAY^CPT', 0, 20, enc)).toBe(false);
    expect(mayHoldCodedText('71020^CHEST XRAY^CPT~R55^Syncope^I10', 0, 36, enc)).toBe(false);
  });
});
