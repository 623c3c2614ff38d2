import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KnownIdentifiers, TextSpan } from '../text/text-deidentifier.ts';
import type { SafeHarborCategory } from './categories.ts';
import { foldText, originalOffset, standsAlone } from './fold-text.ts';
import { KnownIdentifierMatcher } from './known-identifier-matcher.ts';
import { KnownIdentifiersTextDeidentifier } from './known-identifiers-text-deidentifier.ts';

// The reference: the straightforward scan the matcher replaced (every literal compiled up front,
// one indexOf per literal, digit runs by regex). The matcher must find exactly its spans.
const KINDS = [
  ['names', 'name', 'known.name'],
  ['addresses', 'geographic', 'known.address'],
  ['identifiers', 'other-id', 'known.identifier'],
  ['phones', 'phone', 'known.phone'],
  ['emails', 'email', 'known.email'],
  ['dates', 'date', 'known.date'],
] as const;

function referenceSpans(text: string, known: KnownIdentifiers): TextSpan[] {
  const seen = new Set<string>();
  const literals: { text: string; category: SafeHarborCategory; detector: string }[] = [];
  const numbers = new Map<string, { category: SafeHarborCategory; detector: string }>();
  for (const [field, category, detector] of KINDS) {
    for (const raw of known[field] ?? []) {
      const value = raw.normalize('NFC').trim();
      if (value === '') continue;
      const forms = [value];
      if (field === 'dates' && value.replace(/\D/gu, '').length >= 8) {
        const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(value);
        if (m !== null) {
          const [, y = '', mo = '', d = ''] = m;
          forms.push(`${y}${mo}${d}`, `${y}-${mo}-${d}`);
          for (const mm of new Set([mo, String(Number(mo))])) for (const dd of new Set([d, String(Number(d))])) forms.push(`${mm}/${dd}/${y}`, `${dd}.${mm}.${y}`);
        }
      }
      for (const form of forms) {
        const lit = form.replace(/\s+/gu, ' ').toLowerCase();
        if (lit.length < 2 || seen.has(lit)) continue;
        seen.add(lit);
        literals.push({ text: lit, category, detector });
      }
      const digits = value.replace(/\D/gu, '');
      if ((field === 'identifiers' || field === 'phones') && digits.length >= 4 && !numbers.has(digits)) numbers.set(digits, { category, detector });
    }
  }
  literals.sort((a, b) => b.text.length - a.text.length);
  const f = foldText(text);
  const found: TextSpan[] = [];
  for (const lit of literals) {
    for (let i = f.folded.indexOf(lit.text); i >= 0; i = f.folded.indexOf(lit.text, i + 1)) {
      const end = i + lit.text.length;
      if (!standsAlone(f.folded, i, end)) continue;
      found.push({ start: originalOffset(f, i), end: originalOffset(f, end - 1) + 1, category: lit.category, detector: lit.detector });
    }
  }
  for (const m of text.matchAll(/\d(?:[\s\-.()/]{0,3}\d)*/g)) {
    const groups = m[0].split(/[\s\-.()/]+/);
    const starts: number[] = [];
    let at = m.index;
    for (const g of groups) {
      at = text.indexOf(g, at);
      starts.push(at);
      at += g.length;
    }
    for (let a = 0; a < groups.length; a++) {
      for (let b = a; b < groups.length; b++) {
        const hit = numbers.get(groups.slice(a, b + 1).join(''));
        const start = starts[a] ?? 0;
        const end = (starts[b] ?? 0) + (groups[b]?.length ?? 0);
        if (hit !== undefined && standsAlone(text, start, end)) found.push({ start, end, ...hit });
      }
    }
  }
  found.sort((x, y) => x.start - y.start || y.end - x.end);
  const kept: TextSpan[] = [];
  for (const s of found) if (kept.length === 0 || s.start >= (kept[kept.length - 1]?.end ?? 0)) kept.push(s);
  return kept;
}

// Values and texts from one small alphabet, so values occur in texts, overlap, repeat across
// kinds, and meet every case: case and white-space variants, digit separators, non-ASCII letters
// whose lower case is longer (İ) or composes under NFC (e + U+0301), Unicode spaces, surrogates,
// and scripts written without spaces (Han, Hiragana, Thai, Hangul with its particles).
const piece = fc.constantFrom(
  'ann', 'ANN', 'Ann Lee', 'lee', ' ', '  ', '\t', '\n', '\u00a0', '\u2003', '-', '.', '(', ')', '/', ',', ';', 'x', 'İ', 'é', 'e\u0301', 'Σ', '😀',
  '山田', '太郎', 'さん', '王', '国', 'สมชาย', '홍길동', '은',
  '1', '2', '12', '123', '555', '0123', '2024', '1988-11-04', '11/4/1988', '4.11.1988', '19881104', '123-45-6789', '123 45 6789', '(555) 555-2004', 'a@b.org', '5552004', '555 - 2004', '555 -  2004', '555-\t(2004',
);
const phrase = fc.array(piece, { minLength: 0, maxLength: 8 }).map((p) => p.join(''));
const values = fc.array(fc.oneof(phrase, fc.string({ maxLength: 6 })), { maxLength: 5 });
const knownSets = fc.record(
  { names: values, addresses: values, identifiers: values, phones: values, emails: values, dates: fc.array(fc.oneof(phrase, fc.constantFrom('1988-11-04', '19881104', '2024-01-02T10:00')), { maxLength: 3 }) },
  { requiredKeys: [] },
);
const texts = fc.oneof(fc.array(piece, { maxLength: 40 }).map((p) => p.join('')), fc.string({ maxLength: 40 }));

describe('KnownIdentifierMatcher', () => {
  it('finds exactly the spans of the straightforward reference scan', () => {
    fc.assert(
      fc.property(knownSets, fc.array(texts, { minLength: 1, maxLength: 4 }), (known, many) => {
        // One matcher for several texts: what is prepared lazily for one must not change the next.
        const matcher = new KnownIdentifierMatcher(known);
        for (const text of many) expect(matcher.findSpans(text)).toEqual(referenceSpans(text, known));
      }),
      { numRuns: 1500 },
    );
  });

  it('equals the reference on long texts (indexed word starts)', () => {
    fc.assert(
      fc.property(knownSets, fc.array(piece, { minLength: 60, maxLength: 200 }), (known, parts) => {
        const text = parts.join('');
        expect(new KnownIdentifierMatcher(known).findSpans(text)).toEqual(referenceSpans(text, known));
      }),
      { numRuns: 200 },
    );
  });

  it('equals the reference for sets of dates alone (literals without letters: the text is not lower-cased)', () => {
    const datePiece = fc.constantFrom('1988-11-04', '19881104', '11/4/1988', '04.11.1988', '4.11.1988', '1988', 'NOV', 'Nov 4 1988', 'T10:00Z', 'T', 'Z', 'x', 'X', ' ', '\t', '\n', '-', '/', '.', '0', '4', '11', 'AB', 'ab');
    const date = fc.oneof(fc.constantFrom('1988-11-04', '19881104', '1988-11-04T10:00:00Z', '2024-01-02', '1988-11-4', 'nov 4 1988', '4 NOV 1988', 'T-10'), fc.array(datePiece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')));
    const text = fc.array(datePiece, { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(date, { minLength: 1, maxLength: 3 }), fc.array(text, { minLength: 1, maxLength: 3 }), (dates, many) => {
        const known = { dates };
        const matcher = new KnownIdentifierMatcher(known);
        for (const t of many) for (const variant of [t, t.toUpperCase(), t.toLowerCase()]) expect(matcher.findSpans(variant)).toEqual(referenceSpans(variant, known));
      }),
      { numRuns: 1500 },
    );
  });

  it('equals the reference when many long texts meet one set (one expression for all anchors, regex syntax in values)', () => {
    const meta = fc.constantFrom('a.b', 'a.bc', '(555)', '(555) 1', 'x|y', '[x]', '^x', 'x$', 'a\\b', 'a+', 'a?', 'a*b', 'x{2}', 'a/b', 'a-b', 'ann', 'ann lee', 'annie', 'an', 'lee', ' ', '  ', '\n', ',', 'x', 'aaaa', 'aaab', 'aa');
    const value = fc.array(meta, { minLength: 1, maxLength: 3 }).map((p) => p.join(''));
    const set = fc.record({ names: fc.array(value, { maxLength: 6 }), addresses: fc.array(value, { maxLength: 4 }), identifiers: fc.array(value, { maxLength: 4 }) }, { requiredKeys: [] });
    const long = fc.array(meta, { minLength: 80, maxLength: 200 }).map((p) => p.join(''));
    fc.assert(
      fc.property(set, fc.array(long, { minLength: 3, maxLength: 6 }), (known, many) => {
        const matcher = new KnownIdentifierMatcher(known);
        for (const text of many) for (const variant of [text, text.toUpperCase()]) expect(matcher.findSpans(variant)).toEqual(referenceSpans(variant, known));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the earlier kind where two kinds share a value, and literals before digit forms', () => {
    const spans = new KnownIdentifierMatcher({ names: ['1234'], identifiers: ['1234', '55-66'], phones: ['5566'] }).findSpans('id 1234 and 55 66');
    expect(spans.map((s) => s.detector)).toEqual(['known.name', 'known.identifier']);
  });
});

describe('scripts written without spaces between words', () => {
  const spans = (text: string, known: KnownIdentifiers): string[] => new KnownIdentifierMatcher(known).findSpans(text).map((sp) => text.slice(sp.start, sp.end));

  it('a name of two or more characters is found inside a run of Han, kana, Thai or Hangul', () => {
    expect(spans('患者山田太郎さんは来院', { names: ['山田太郎', '山田'] })).toEqual(['山田太郎']);
    expect(spans('山田さん', { names: ['山田'] })).toEqual(['山田']);
    expect(spans('คุณสมชายมาโรงพยาบาล', { names: ['สมชาย'] })).toEqual(['สมชาย']);
    expect(spans('홍길동은 왔다', { names: ['홍길동'] })).toEqual(['홍길동']);
    expect(spans('患者Smithさん', { names: ['Smith'] })).toEqual(['Smith']);
    expect(spans('電話0312345678です', { phones: ['03-1234-5678'] })).toEqual(['0312345678']);
  });

  it('one character alone, and letters of spaced scripts, still need a word boundary', () => {
    expect(spans('王国の歴史', { names: ['王'] })).toEqual([]);
    expect(spans('王 先生', { names: ['王'] })).toEqual([]); // one character: fewer than two, no literal
    expect(spans('Annabel xAnn', { names: ['Ann'] })).toEqual([]);
    expect(spans('tel0312345678', { phones: ['03-1234-5678'] })).toEqual([]);
  });
});

describe('KnownIdentifiersTextDeidentifier cache', () => {
  it('gives the same result for an equal set handed in as a new object, and for the same object', () => {
    const deid = new KnownIdentifiersTextDeidentifier();
    const text = 'Pt Ann Lee, MRN 0123-2024, seen 11/4/1988';
    const make = (): KnownIdentifiers => ({ names: ['Ann Lee'], identifiers: ['01232024'], dates: ['1988-11-04'] });
    const first = deid.deidentify({ text, known: make() });
    expect(first.text).toBe('Pt [NAME], MRN [OTHER-ID], seen [DATE]');
    expect(deid.deidentify({ text, known: make() })).toEqual(first);
    // Different content never shares a prepared set.
    expect(deid.deidentify({ text, known: { names: ['Ann'] } }).text).toBe('Pt [NAME] Lee, MRN 0123-2024, seen 11/4/1988');
  });

  it('never answers with another set\'s matcher: a stream of new objects, equal or differing in one character, as a fresh matcher each', () => {
    const date = fc.tuple(fc.integer({ min: 1900, max: 2030 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => `${String(y)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    const name = fc.constantFrom('Ann', 'Anne', 'Ann Lee', 'Lee', 'ANN', 'Amn');
    const set = fc.record({ names: fc.array(name, { maxLength: 2 }), identifiers: fc.array(fc.constantFrom('0123', '0124', '1123'), { maxLength: 2 }), dates: fc.array(date, { maxLength: 2 }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(set, { minLength: 1, maxLength: 100 }), fc.array(fc.nat(), { minLength: 1, maxLength: 150 }), (sets, picks) => {
        const deid = new KnownIdentifiersTextDeidentifier();
        for (const p of picks) {
          const known = structuredClone(sets[p % sets.length] ?? {});
          const text = `Ann Lee ${(known.dates ?? []).join(' ')} 0123 ANNE 1123 ${(sets[(p + 1) % sets.length]?.dates ?? []).join(', ')}`;
          expect(deid.deidentify({ text, known }).spans).toEqual(new KnownIdentifierMatcher(known).findSpans(text));
        }
      }),
      { numRuns: 300 },
    );
  });
});
