import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engines, testPatient } from './test-engine.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Text pieces that exercise every detector family, mixed with noise. */
const piece = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(' ', '\n', '. ', ', ', ': ', 'Dr. ', 'MRN: ', '@', '://', '::', '(', ')', '-', '/', 'x', '#'),
  fc.constantFrom('John', 'Smith', 'Parkinson', 'Boston', 'MA', '02114', 'March', '4th', '2021', 'Hospital', 'Will', 'a.b.c', 'www.', 'Apt'),
  fc.integer({ min: 0, max: 99_999_999 }).map(String),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const text = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));

describe('engine invariants on arbitrary text', () => {
  it('spans are sorted, disjoint, inside the text; the text outside the spans is kept verbatim', () => {
    fc.assert(
      fc.property(text, (t) => {
        const { text: out, spans } = engines().tags.deidentify({ text: t });
        let at = 0;
        let rebuilt = '';
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(at);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(t.length);
          rebuilt += `${t.slice(at, s.start)}[${s.category.toUpperCase().replace('-', '_')}]`;
          at = s.end;
        }
        expect(out).toBe(rebuilt + t.slice(at));
      }),
      { numRuns: RUNS },
    );
  });

  it('terminates quickly enough on long adversarial runs (no catastrophic backtracking)', () => {
    const nasty = ['a.'.repeat(4000), `${'a'.repeat(5000)}@`, `${'1 '.repeat(3000)}x`, `${'Ab '.repeat(3000)}Hospital`, 'A'.repeat(6000), `${'9'.repeat(5000)}-`];
    for (const t of nasty) expect(engines().tags.deidentify({ text: t }).spans.length).toBeGreaterThanOrEqual(0);
  });

  it('shifts any numeric date by the patient offset and keeps its form', () => {
    const patient = testPatient('P-42');
    fc.assert(
      fc.property(fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        const pad = (n: number): string => String(n).padStart(2, '0');
        const out = engines().surrogates.deidentify({ text: `Seen on ${pad(m)}/${pad(day)}/${y} in clinic.`, patient }).text;
        const shifted = patient.shiftIsoDate(`${y}-${pad(m)}-${pad(day)}`);
        const [sy, sm, sd] = shifted.split('-');
        expect(out).toBe(`Seen on ${sm ?? ''}/${sd ?? ''}/${sy ?? ''} in clinic.`);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives a name the same surrogate in every note of the patient and another one for another patient', () => {
    fc.assert(
      fc.property(fc.constantFrom('Reyes', 'Okafor', 'Lindqvist', 'Moreau'), (name) => {
        const a = engines().surrogates.deidentify({ text: `Dr. ${name} called.`, patient: testPatient('A') }).text;
        const b = engines().surrogates.deidentify({ text: `Seen by Dr. ${name} today.`, patient: testPatient('A') }).text;
        const surrogate = /Dr\. (\S+) called/.exec(a)?.[1] ?? '?';
        expect(b).toBe(`Seen by Dr. ${surrogate} today.`);
        expect(a).not.toContain(name);
      }),
      { numRuns: 20 },
    );
  });
});
