import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText, isSpaceCode, isWordAt, originalOffset } from './fold-text.ts';

// The reference forms: what the known-identifier scan did before the fast paths (regex per character).
function referenceFold(text: string): { folded: string; offsets: number[] | undefined } {
  if (!/\s\s|[^\S ]/u.test(text)) {
    const lower = text.toLowerCase();
    if (lower.length === text.length) return { folded: lower, offsets: undefined };
  }
  let folded = '';
  const offsets: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (/\s/u.test(ch)) {
      if (!space) {
        folded += ' ';
        offsets.push(i);
      }
      space = true;
      continue;
    }
    space = false;
    const lower = ch.toLowerCase();
    folded += lower.length === 1 ? lower : ch;
    offsets.push(i);
  }
  return { folded, offsets };
}

const referenceWord = (text: string, i: number): boolean => i >= 0 && i < text.length && /[\p{L}\p{N}]/u.test(text.charAt(i));

// Characters that exercise every branch: ASCII, every kind of white space, letters whose lower
// case is longer (İ), final sigma, digits of other scripts, lone surrogates.
const pieces = fc.constantFrom(
  'a', 'Z', '0', '-', '(', ' ', '  ', '\t', '\n', '\r\n', '\v', '\f', '\u00a0', '\u1680', '\u2003', '\u2028', '\u202f', '\u3000', '\ufeff',
  'İ', 'Σ', 'ΟΔΟΣ', 'é', 'ß', '٣', '中', '\ud800', '😀', 'Smith', 'O\'Brien',
);
const texts = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')));

describe('foldText', () => {
  it('equals the per-character reference on random text (ASCII, Unicode white space, long lower cases)', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const f = foldText(text);
        const ref = referenceFold(text);
        expect(f.folded).toBe(ref.folded);
        const units = [...Array(f.folded.length).keys()]; // every UTF-16 index, surrogates included
        expect(units.map((i) => originalOffset(f, i))).toEqual(units.map((i) => ref.offsets?.[i] ?? i));
      }),
      { numRuns: 300 },
    );
  });

  it('maps folded characters back to the original', () => {
    const f = foldText('Pt  ADAM\n\teveryman');
    expect(f.folded).toBe('pt adam everyman');
    expect(originalOffset(f, 3)).toBe(4);
    expect(originalOffset(f, 8)).toBe(10);
    expect(originalOffset(f, 15)).toBe(17);
  });
});

describe('isSpaceCode and isWordAt', () => {
  it('agree with \\s and [\\p{L}\\p{N}] on every UTF-16 code unit', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (isSpaceCode(c) !== /\s/u.test(ch) || isWordAt(ch, 0) !== referenceWord(ch, 0)) expect.fail(`code unit ${c.toString(16)}`);
    }
    expect(isWordAt('ab', -1)).toBe(false);
    expect(isWordAt('ab', 2)).toBe(false);
  });

  it('isWordAt equals the reference at random places of random text', () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: -2, max: 70 }), (text, i) => {
        expect(isWordAt(text, i)).toBe(referenceWord(text, i));
      }),
      { numRuns: 300 },
    );
  });
});
