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

const isWord = (ch: string): boolean => ch.charCodeAt(0) >= 128 || /[A-Za-z0-9]/u.test(ch);

const DIGIT_RUN = /^\(?(\d+(?:(?:\) ?|[ \-./])\d+)*)/u;

/**
 * Whether `s` holds a value of `set` between word boundaries (or is one): every substring tried;
 * and, for values of seven or more digits, a run of digit groups with a separator whose digits are one.
 */
function holds(s: string, set: ReadonlySet<string>): boolean {
  if (set.has(s)) return true;
  for (let p = 0; p < s.length; p++) {
    if (p > 0 && isWord(s.charAt(p - 1))) continue;
    for (let q = p + 1; q <= s.length; q++) if ((q === s.length || !isWord(s.charAt(q))) && set.has(s.slice(p, q))) return true;
    const run = DIGIT_RUN.exec(s.slice(p))?.[1];
    if (run === undefined || !/\D/u.test(run)) continue;
    const after = s.charAt(p + s.slice(p).indexOf(run) + run.length);
    const digits = run.replace(/\D/gu, '');
    if (digits.length >= 7 && (after === '' || !isWord(after)) && [...set].some((v) => v === digits)) return true;
  }
  return false;
}

function model(values: readonly string[], words = false): { has: (v: string) => boolean; anyIn: (f: string) => boolean } {
  const set = new Set(values.map((v) => v.toLowerCase()));
  const known = (sub: string): boolean => {
    if (sub.length < (words ? 1 : 2)) return false;
    const lower = (sub.includes('\\') ? decodeHl7Text(sub, enc).text : sub).trim().toLowerCase();
    return words ? holds(lower, set) : set.has(lower);
  };
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

  it('with words, anyIn() and isKnown() find a value held between word boundaries exactly as a plain search of the decoded text does', () => {
    const value = fc.oneof(word.map((w) => w.trim()).filter((w) => w !== ''), fc.stringMatching(/^\d{7,9}$/u));
    // Several words, with spaces, punctuation, escapes and delimiters between them.
    const digits = fc.stringMatching(/^\d{1,5}$/u);
    const text = fc
      .array(fc.tuple(fc.oneof(word, digits), fc.constantFrom(' ', '-', '.', '/', ') ', ')', '(', ', ', '^', '&', '~', '\\T\\', '\\X41\\', '\\H\\', '')), { maxLength: 5 })
      .map((parts) => parts.map(([w, s]) => w + s).join(''));
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 40 }), { minLength: 1, maxLength: 3 }), fc.array(text, { maxLength: 20 }), (messages, probes) => {
        const values = new Hl7KnownValues([], true);
        for (const list of messages) {
          values.clear();
          for (const v of list) values.add(v);
          const m = model(list, true);
          // The values themselves, inside text, split into digit groups, and random texts.
          const split = list.filter((v) => /^\d{7,}$/u.test(v)).map((v) => `(${v.slice(0, 3)}) ${v.slice(3, 6)}-${v.slice(6)}`);
          for (const t of [...list.slice(0, 4).map((v) => `x ${v}, y`), ...split, ...probes]) {
            expect(values.anyIn(`|${t}|`, 1, t.length + 1, enc), JSON.stringify([list, t])).toBe(m.anyIn(t));
            for (const sub of t.split(/[~^&]/u)) expect(values.isKnown(sub, enc)).toBe(m.anyIn(sub));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
