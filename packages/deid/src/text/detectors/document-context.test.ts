import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engines } from '../test-engine.ts';

/** Tagged output of the shared tags engine. */
const tags = (text: string): string => engines().tags.deidentify({ text }).text;

describe('address blocks', () => {
  it.each([
    ['Ship to 55 Fruit Street\n Suite 501\n LAPPEENRANTA\n Finland 53650\nThanks', 'Ship to [ADDRESS]\nThanks'],
    ['Mail: 28245 Puruntie 82 Apt. 595\n   SEINÄJOKI\n    SK\n    53650', 'Mail: [ADDRESS]'],
    ['Sara Lind\n\n20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488', '[NAME]\n\n[ADDRESS]'],
    ['Home: 12 Main Street, Arnsdorf, Germany.', 'Home: [ADDRESS].'],
  ])('takes the rest of the block: %j', (text, expected) => {
    expect(tags(text).replace(/\[(?:GEOGRAPHIC|ADDRESS|LOCATION)\]/g, '[ADDRESS]')).toBe(expected);
  });

  it('leaves a section header or a sentence after an address', () => {
    const out = tags('Address: 55 Fruit Street\nASSESSMENT\nStable angina.\n\n12 Main Street, The patient denies pain.');
    expect(out).toContain('\nASSESSMENT\nStable angina.');
    expect(out).toContain(', The patient denies pain.');
  });
});

describe('repeated names', () => {
  it('takes a name found once at its other places in the text', () => {
    expect(tags('Alvir paints. He was the assistant to Dr. Alvir Zorvanek at home. Alvir’s notes agree.')).toBe('[NAME] paints. He was the assistant to Dr. [NAME] at home. [NAME]’s notes agree.');
  });

  it('does not repeat common or clinical words', () => {
    const out = tags('Dr. Parkinson saw him for Parkinson disease. Will Zorvanek will call. Zorvanek agreed, as will we.');
    // `Will` next to `Zorvanek` is a name there (other evidence), but `will` is not repeated.
    expect(out).toBe('Dr. [NAME] saw him for Parkinson disease. [NAME] will call. [NAME] agreed, as will we.');
  });

  it('repeats a name in other letter cases (capitals, a lower-case cc line)', () => {
    const out = tags('WHITFIELD, HAROLD Q\nSigned by: Whitfield, Harold.\ncc: harold whitfield; mrs whitfield; HAROLD.');
    expect(out).not.toMatch(/whitfield|harold/i);
  });

  it('repeats only the spelling found in a text that is not English', () => {
    // A Spanish note: its capitalized words are taken for names more often, and recur lower-case as words.
    const text = 'Paciente: Zorvanek. Motivo de ingreso: dolor. Exploración física: sin hallazgos; evolución favorable en la región. zorvanek';
    expect(tags(text)).toMatch(/zorvanek$/);
  });

  it('property: every occurrence of a detected invented surname is redacted', () => {
    fc.assert(
      fc.property(fc.constantFrom('Zorvanek', 'Brenninkova', 'Oblenkaya'), fc.integer({ min: 1, max: 4 }), (surname, times) => {
        const text = `Seen by Dr. ${surname} today.${` ${surname} agreed.`.repeat(times)}`;
        expect(tags(text)).not.toContain(surname);
      }),
      { numRuns: 12 },
    );
  });
});

describe('places of residence and travel', () => {
  it.each([
    ['Mr. Leiva grew up in SUND.', 'Mr. [NAME] grew up in [ADDRESS].'],
    ['She moved here from Kurzenkirchen last year.', 'She moved here from [ADDRESS] last year.'],
    ['I am originally from ΕΓΚΩΜΗ, and I am 31.', 'I am originally from [ADDRESS], and I am 31.'],
  ])('%j', (text, expected) => {
    expect(tags(text).replace(/\[(?:GEOGRAPHIC|ADDRESS|LOCATION)\]/g, '[ADDRESS]')).toBe(expected);
  });

  it('keeps ordinary words after the same verbs', () => {
    for (const text of ['He lives in Assisted Living now.', 'She was born in March.', 'Pt moved to ICU overnight.', 'Moved to MICU, then to Rehab.', 'I am in Pain today.']) expect(tags(text)).toBe(text);
  });
});

describe('ZIP codes after a place', () => {
  it.each([
    ['Follow up at 742 Evergreen Terrace, Shelbyville 02139 with Ruth.', 'Follow up at [ADDRESS], [ADDRESS] [ADDRESS] with [NAME].'],
    ['Lives in Shelbyville 02139 now', 'Lives in [ADDRESS] [ADDRESS] now'],
  ])('takes the ZIP after the place, mid-sentence too: %j', (text, expected) => {
    expect(tags(text).replace(/\[(?:GEOGRAPHIC|ADDRESS|LOCATION)\]/g, '[ADDRESS]')).toBe(expected);
  });

  it('takes the city and ZIP after a street address mid-sentence, the city listed as a name too', () => {
    expect(tags('Lives at 9 Elm Rd, Salem 01970 with his wife.')).toBe('Lives at [GEOGRAPHIC], [GEOGRAPHIC] [GEOGRAPHIC] with his wife.');
    // A labelled address (`lives at`) extends over the rest of its block like a street line.
    expect(tags('Call sister at home; lives at 9 Elm Rd, Salem 01970')).toBe('Call sister at home; lives at [GEOGRAPHIC]');
  });

  it('keeps the state between (Safe Harbor keeps states) and takes a ZIP+4 whole', () => {
    const out = tags('Shelbyville, MA 02139-4307 with Ruth');
    expect(out).toMatch(/^\[GEOGRAPHIC\], MA \[[A-Z-]+\] with \[NAME\]$/u);
  });

  it('takes no other number after a place', () => {
    const out = tags('Lives in Shelbyville 2019 onwards; moved to Shelbyville 021390 times; born in Shelbyville 02139abc');
    expect(out).toContain('2019 onwards');
    expect(out).toContain('021390 times');
    expect(out).toContain('02139abc');
  });
});

describe('repeated dates', () => {
  it('takes a date found once at its other places, where no context word marked it', () => {
    expect(tags('Labs 11/2: Na 138. ECG 11/2 @ 0915: NSR. Seen 3/4/2025, echo 3/4/2025 too.')).toBe('Labs [DATE]: Na 138. ECG [DATE] @ 0915: NSR. Seen [DATE], echo [DATE] too.');
  });

  it('does not repeat a date inside a longer number or date, nor an age or a birth year', () => {
    expect(tags('Labs 11/2: ok. Rate 11/23; on 11/2/2024 none.')).toBe('Labs [DATE]: ok. Rate 11/23; on [DATE] none.');
    expect(tags('He is 92 years old, born in 1933. HR 92, 1933 steps.')).toBe('He is [DATE] years old, born in [DATE]. HR 92, 1933 steps.');
  });
});

