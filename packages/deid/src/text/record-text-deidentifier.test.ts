import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { loadDictionaries } from './dictionaries.ts';
import { createRecordTextDeidentifier } from './record-text-deidentifier.ts';

const dictionaries = loadDictionaries();
const engine = createRecordTextDeidentifier({ dictionaries });
const known = Object.freeze({ names: ['Zebulon', 'Quixote', 'Robert', 'Zorvanek'], identifiers: ['MRN7788123'], dates: ['1961-03-14'], phones: ['617-555-0100'] });

describe('createRecordTextDeidentifier', () => {
  it('removes the known identifiers and what no field lists, in a short text', () => {
    const text = 'Called daughter Mary Jones 617-555-0199 on 3/15/2024 about MRN7788123; Zebulon (DOB 03/14/1961) agreed.';
    const out = engine.deidentify({ text, known }).text;
    for (const secret of ['Mary', 'Jones', '617-555-0199', '3/15/2024', 'MRN7788123', 'Zebulon', '03/14/1961']) expect(out, secret).not.toContain(secret);
    // The known-identifier engine alone leaves what it was not told about.
    const alone = new KnownIdentifiersTextDeidentifier().deidentify({ text, known }).text;
    expect(alone).toContain('Mary Jones');
    expect(alone).not.toContain('Zebulon');
  });

  it('finds known names by nickname and misspelling (the clinical pass gets the names)', () => {
    // `Bob` alone is an English word: only the known name Robert makes it one (nickname table).
    const out = engine.deidentify({ text: 'Bob agreed. Results sent to Quixotte.', known }).text;
    for (const secret of ['Bob', 'Quixotte']) expect(out, secret).not.toContain(secret);
  });

  it('lets the clinical engine read the text as written: a known given name does not hide the surname after it', () => {
    // Tagging the patient's first name `Jane` first would leave `sister [NAME] Roe` (Roe is an English word).
    const out = engine.deidentify({ text: 'Visited by her sister Jane Roe today.', known: { names: ['Jane', 'Doe'] } }).text;
    expect(out).not.toContain('Roe');
    expect(out).not.toContain('Jane');
  });

  it('counts the spans of both passes and leaves a text without identifiers as it is', () => {
    const r = engine.deidentify({ text: 'Zebulon called 617-555-0199.', known });
    expect(r.spans.map((s) => s.category).sort()).toEqual(['name', 'phone']);
    expect(engine.deidentify({ text: 'Fasting specimen. Hemolyzed.', known }).text).toBe('Fasting specimen. Hemolyzed.');
  });

  it('property: seeded SSNs, phone numbers, dates and e-mails never come out, whatever the words around them', () => {
    const word = fc.constantFrom('seen', 'today', 'Findings', 'stable', 'called', 'the', 'lab', 'Negative', 'follow-up', 'and', 'Patient', 'with');
    const digits = (n: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const secret = fc.oneof(
      fc.tuple(fc.integer({ min: 100, max: 665 }), digits(2), digits(4)).map(([a, b, c]) => `${String(a)}-${b}-${c}`),
      fc.tuple(fc.integer({ min: 201, max: 989 }), fc.integer({ min: 200, max: 999 }), digits(4)).map(([a, b, c]) => `(${String(a)}) ${String(b)}-${c}`),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1930, max: 2030 })).map(([m, d, y]) => `${String(m)}/${String(d)}/${String(y)}`),
      fc.tuple(fc.stringMatching(/^[a-z]{3,8}$/), fc.constantFrom('example.org', 'mail.com')).map(([u, d]) => `${u}@${d}`),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), secret, fc.array(word, { maxLength: 6 }), (before, value, after) => {
        const text = `${[...before, value, ...after].join(' ')}.`;
        expect(engine.deidentify({ text, known }).text).not.toContain(value);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});
