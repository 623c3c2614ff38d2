import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';
import { Hl7KnownValues } from './hl7-known-values.ts';

// The hash table and its in-place check against the plain model: a Set of lower-cased values and
// every subcomponent decoded, trimmed and lower-cased.
const enc = DEFAULT_ENCODING;
const chars = fc.constantFrom('a', 'A', 'b', 'B', 'z', 'Q', '1', '9', ' ', '\t', 'Ä', 'ä', 'İ', 'ß', '\u00a0', '\ufeff', '-', '.', '\\');
const word = fc.array(chars, { minLength: 0, maxLength: 7 }).map((a) => a.join(''));
const field = fc.array(fc.tuple(word, fc.constantFrom('^', '&', '~', '\\F\\', '\\T\\')), { maxLength: 5 }).map((parts) => parts.map(([w, s]) => w + s).join(''));

function model(values: readonly string[]): { has: (v: string) => boolean; anyIn: (f: string) => boolean } {
  const set = new Set(values.map((v) => v.toLowerCase()));
  const known = (sub: string): boolean => sub.length >= 2 && set.has((sub.includes('\\') ? decodeHl7Text(sub, enc).text : sub).trim().toLowerCase());
  return { has: (v) => set.has(v), anyIn: (f) => set.size > 0 && f.split(/[~^&]/u).some(known) };
}

describe('Hl7KnownValues', () => {
  it('has() and anyIn() agree with a Set of lower-cased values, across clear() and growth', () => {
    // Values as the collector adds them: trimmed, not empty.
    const value = word.map((w) => w.trim()).filter((w) => w !== '');
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 300 }), { minLength: 1, maxLength: 3 }), fc.array(fc.oneof(word, field), { maxLength: 30 }), (messages, probes) => {
        const values = new Hl7KnownValues();
        for (const list of messages) {
          values.clear();
          for (const v of list) values.add(v);
          const m = model(list);
          expect(values.size).toBe(new Set(list.map((v) => v.toLowerCase())).size);
          for (const v of [...list.slice(0, 5), ...probes]) {
            expect(values.has(v.toLowerCase())).toBe(m.has(v.toLowerCase()));
            expect(values.has(v)).toBe(m.has(v));
            expect(values.anyIn(`|${v}|`, 1, v.length + 1, enc)).toBe(m.anyIn(v));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
