import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAsciiSpace, isAsciiText, isAsciiWord, matchRunsAt } from './ascii-folded-search.ts';
import { foldText, isSpaceCode, isWordAt } from './fold-text.ts';

const asciiPiece = fc.constantFrom('a', 'B', 'ann', 'lee', '0', '12', ' ', '  ', '\t', '\n', '\r\n', '\v', '\f', '-', '.', '(', ')', '/');
const asciiText = fc.array(asciiPiece, { maxLength: 20 }).map((p) => p.join(''));
const literal = fc.array(fc.constantFrom('a', 'b', 'ann', 'lee', '0', '12', '-', '.', '('), { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));

describe('isAsciiText', () => {
  it('is true exactly when every UTF-16 unit is below 0x80 (lone surrogates and astral characters included)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ maxLength: 30 }), asciiText), (text) => {
        expect(isAsciiText(text)).toBe([...Array(text.length).keys()].every((i) => text.charCodeAt(i) < 0x80));
      }),
      { numRuns: 500 },
    );
    expect(isAsciiText('\ud800')).toBe(false);
    expect(isAsciiText('😀')).toBe(false);
  });
});

describe('ASCII character classes', () => {
  it('agree with isSpaceCode and isWordAt on every ASCII code unit and outside the text', () => {
    for (let c = 0; c < 0x80; c++) {
      expect(isAsciiSpace(c)).toBe(isSpaceCode(c));
      expect(isAsciiWord(c)).toBe(isWordAt(String.fromCharCode(c), 0));
    }
    expect(isAsciiWord(Number.NaN)).toBe(false);
  });
});

describe('matchRunsAt', () => {
  it('matches a literal where the folded text has it: each space a whole white-space run', () => {
    fc.assert(
      fc.property(asciiText, literal, asciiText, fc.nat(), (before, lit, after, at) => {
        const text = `${before}${lit.replace(/ /gu, ' \t ')}${after}`;
        const lower = text.toLowerCase();
        const i = at % (lower.length + 1);
        // The reference: a sticky expression with each space as a maximal run of ASCII white space.
        const re = new RegExp(lit.replace(/[.*+?^${}()|[\]\\-]/gu, '\\$&').replace(/ /gu, '[\\t-\\r ]+(?![\\t-\\r ])'), 'y');
        re.lastIndex = i;
        const m = re.exec(lower);
        expect(matchRunsAt(lower, i, lit, 0)).toBe(m === null ? -1 : i + m[0].length);
        // And it agrees with searching the folded text (single spaces only: offsets are the identity).
        if (!/\s/u.test(text)) expect(matchRunsAt(lower, i, lit, 0) >= 0).toBe(foldText(text).folded.startsWith(lit, i));
      }),
      { numRuns: 800 },
    );
  });
});
