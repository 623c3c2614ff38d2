import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import { KnownTextKeys, knownLists } from './hl7-text-prefilter.ts';

// The prefilter is conservative against the engine it stands in front of: whenever it says a text
// cannot hold a known identifier, the engine returns that text unchanged with no span. Texts are
// built from the values themselves (case changed, white space respelled, cut, glued to letters)
// so that both answers occur often.
const runs = Number(process.env.FUZZ_RUNS ?? 300);
const chars = fc.constantFrom('a', 'A', 'n', 'N', 'r', 'i', 'v', 'e', 'z', 'Q', '1', '5', '0', ' ', '\t', '\n', '-', '.', "'", '/', '(', 'é', 'É', 'ß', '\u00a0', '\u0301');
const word = fc.array(chars, { minLength: 0, maxLength: 9 }).map((a) => a.join(''));
const realistic = fc.constantFrom('ANNA', 'RIVERA', 'Anna  Rivera', 'O\'BRIEN', 'JOSÉ', 'SPRINGFIELD', '10 MAPLE AVE', 'APT 5', '(555)200-0012', '100007', 'ACC00000001', '1961-02-02', 'anna@example.org', 'DR', 'al', 'Ni', 'J Q PUBLIC', 'a\tb');
const value = fc.oneof(realistic, word).map((v) => v.trim()).filter((v) => v.length > 0);
const known: fc.Arbitrary<KnownIdentifiers> = fc.record({
  names: fc.array(value, { maxLength: 5 }),
  addresses: fc.array(value, { maxLength: 4 }),
  identifiers: fc.array(value, { maxLength: 4 }),
  phones: fc.array(value, { maxLength: 3 }),
  emails: fc.array(value, { maxLength: 2 }),
  dates: fc.array(fc.oneof(value, fc.constantFrom('1961-02-02', '2025-01-15')), { maxLength: 2 }),
});

/** A piece of one of the values, respelled: case flipped, spaces as other runs, a prefix or suffix cut. */
function piece(k: KnownIdentifiers, pick: number, how: number): string {
  const all = knownLists(k).flatMap((l) => l ?? []);
  const v = all.length === 0 ? 'anna' : (all[pick % all.length] ?? '');
  let out = how & 1 ? v.toUpperCase() : v.toLowerCase();
  if (how & 2) out = out.replace(/ /gu, ' \t ');
  if (how & 4) out = out.slice(0, Math.max(1, out.length - 2));
  if (how & 8) out = out.slice(1);
  if (how & 16) out = out.replace(/ /gu, '\t');
  return out;
}

const textOf = (k: KnownIdentifiers): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(word, fc.tuple(fc.nat(), fc.nat(31)).map(([p, h]) => piece(k, p, h)), fc.constantFrom(' ', 'x', '. ', 'specimen received')), { maxLength: 6 })
    .map((parts) => parts.join(''));

describe('KnownTextKeys (free-text prefilter)', () => {
  it('never skips a text the known-identifier engine would change', () => {
    let skipped = 0;
    let changed = 0;
    // One instance across cases, as the collector keeps one across messages (reset per message).
    const reused = new KnownTextKeys();
    fc.assert(
      fc.property(known.chain((k) => fc.tuple(fc.constant(k), fc.array(textOf(k), { minLength: 1, maxLength: 6 }))), ([k, texts]) => {
        const engine = new KnownIdentifiersTextDeidentifier();
        const keys = new KnownTextKeys(knownLists(k));
        reused.reset(knownLists(k));
        for (const text of texts) {
          const result = engine.deidentify({ text, known: k });
          if (result.spans.length > 0) changed += 1;
          expect(reused.mayHold(text)).toBe(keys.mayHold(text));
          if (keys.mayHold(text)) continue;
          skipped += 1;
          expect(result.spans).toEqual([]);
          expect(result.text).toBe(text);
        }
      }),
      { numRuns: runs },
    );
    // Not vacuous: the generator reaches both sides.
    expect(skipped).toBeGreaterThan(runs / 10);
    expect(changed).toBeGreaterThan(runs / 10);
  });

  it('skips ordinary text, and never a text with a digit or a non-ASCII character', () => {
    const keys = new KnownTextKeys(knownLists({ names: ['RIVERA', 'ANNA', 'Q'], addresses: ['10 MAPLE AVE', 'SPRINGFIELD'], phones: ['(555)200-0012'], dates: ['1961-02-02'] }));
    expect(keys.mayHold('Fasting specimen.')).toBe(false);
    expect(keys.mayHold('HIVES')).toBe(false);
    expect(keys.mayHold('')).toBe(false);
    expect(keys.mayHold('seen by rivera')).toBe(true);
    expect(keys.mayHold('x')).toBe(false);
    expect(new KnownTextKeys(knownLists({ names: ['J Q'] })).mayHold('by j\tq')).toBe(true);
    expect(keys.mayHold('seen by\tRIVE')).toBe(true);
    expect(keys.mayHold('Springfield clinic')).toBe(true);
    expect(keys.mayHold('glucose 5')).toBe(true);
    expect(keys.mayHold('café')).toBe(true);
    expect(new KnownTextKeys(knownLists({ names: ['JOSÉ'] })).mayHold('plain text')).toBe(true);
  });
});
