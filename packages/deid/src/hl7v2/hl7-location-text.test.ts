import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';
import { textsTaken } from './hl7-typed-text-test-support.ts';
import { mapLocationText, mayHoldLocationText } from './hl7-location-text.ts';

const enc = DEFAULT_ENCODING;
const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const texts = (raw: string): string[] => textsTaken(mapLocationText, raw, enc);

describe('person location free text (PL-9)', () => {
  it('takes the location description and nothing else', () => {
    expect(texts('4W^401^A')).toEqual([]);
    expect(texts('4W^401^A^GENHOSP^^^Main^4^bed by the window, wife Jane Roe stays')).toEqual(['bed by the window, wife Jane Roe stays']);
    expect(texts('4W^401^A^GENHOSP^^^Main^4^""')).toEqual([]);
    expect(texts('4W^401~ICU^2^^^^^^^near nurse station')).toEqual(['near nurse station']);
    expect(mapLocationText('4W^^^^^^^^quiet room~ICU', enc, (v) => v.toUpperCase())).toBe('4W^^^^^^^^QUIET ROOM~ICU');
  });

  it('the in-place prefilter never skips a field whose description the rule would take', () => {
    const field = fc.array(fc.constantFrom('^', '^', '^', '~', ' ', 'a', '4W', '""', '&'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(field, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (raw, before, after) => {
        const line = `${before}${raw}${after}`;
        if (texts(raw).length > 0) expect(mayHoldLocationText(line, before.length, before.length + raw.length, enc)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('the prefilter passes the common short shapes', () => {
    expect(mayHoldLocationText('4W^401^A', 0, 8, enc)).toBe(false);
    expect(mayHoldLocationText('4W^401^A^GENHOSP~ER^1', 0, 21, enc)).toBe(false);
  });
});
