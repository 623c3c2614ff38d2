import { describe, expect, it } from 'vitest';
import type { KnownIdentifiers } from '../text-deidentifier.ts';
import { engines } from '../test-engine.ts';

const known: KnownIdentifiers = {
  names: ['William Zxqorbee', 'Rose Tannenwald'],
  dates: ['1961-07-04'],
  identifiers: ['A-77-1234', '999-12-3456'],
  phones: ['+1 (617) 555-0142'],
  emails: ['W.Zxqorbee@Example.org'],
  addresses: ['12 Quincy Lane, Springfield'],
};

function redacted(text: string): string {
  return engines().tags.deidentify({ text, known }).text;
}

describe('known identifiers', () => {
  it.each([
    ['exact', 'William Zxqorbee was admitted.'],
    ['case and spacing', 'WILLIAM   zxqorbee was admitted.'],
    ['misspelled within edit distance', 'Mr. Zxqorbe and Mr Zxqobree were admitted.'],
    ['nickname', 'Bill Zxqorbee was admitted.'],
    ['birth date, other written form', 'Born July 4, 1961; DOB 07/04/1961; 4-Jul-1961.'],
    ['identifier with other separators', 'Chart A-77-1234, SSN 999 12 3456.'],
    ['phone with other separators', 'Call 617.555.0142 or (617)5550142.'],
    ['email, other case', 'Mail w.zxqorbee@example.org.'],
    ['address parts', 'Lives at 12 Quincy Lane in Springfield.'],
  ])('%s', (_label, text) => {
    const out = redacted(text);
    for (const secret of ['zxqorbee', 'zxqorbe', 'zxqobree', '1961', '1234', '3456', '0142', 'quincy', 'springfield']) expect(out.toLowerCase()).not.toContain(secret);
    expect(out).toContain('[');
  });

  it('takes initials next to a known name', () => {
    expect(redacted('Seen: W. Zxqorbee, then Tannenwald, R. again.')).toBe('Seen: [NAME], then [NAME], [NAME] again.');
    const text = 'Seen: W. Zxqorbee, then Tannenwald, R. again.';
    const spans = engines().tags.detect(text, known);
    expect(spans.map((x) => text.slice(x.start, x.end))).toEqual(['W. Zxqorbee', 'Tannenwald', 'R.']);
    expect(spans[2]?.detector).toBe('known.initial');
  });

  it('matches a name part that is an ordinary word only when capitalized', () => {
    const out = redacted('Rose is here. The rash rose on the arm.');
    expect(out).toBe('[NAME] is here. The rash rose on the arm.');
  });

  it('counts known matches with the known.* detector', () => {
    const spans = engines().tags.detect('Tannenwald called.', known);
    expect(spans.map((s) => s.detector)).toEqual(['known.name']);
  });
});
