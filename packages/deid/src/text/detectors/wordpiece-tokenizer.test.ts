import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from './wordpiece-tokenizer.ts';

// The vocabulary of BERT's own tokenization test (google-research/bert tokenization_test.py).
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ','].join('\n');

describe('WordPiece tokenizer', () => {
  const tokenizer = new WordPieceTokenizer(VOCAB);
  const pieces = (text: string): string[] => tokenizer.tokenize(text).map((t) => `${VOCAB.split('\n')[t.id] ?? '?'}@${text.slice(t.start, t.end)}`);

  it('splits as BERT does (uncased, accents stripped) and keeps each piece’s source extent', () => {
    expect(pieces('UNwant\u00E9d,running')).toEqual(['un@UN', '##want@want', '##ed@\u00E9d', ',@,', 'runn@runn', '##ing@ing']);
    expect(pieces('unwantedX running')).toEqual(['[UNK]@unwantedX', 'runn@runn', '##ing@ing']);
    // A decomposed accent (e + U+0301) is stripped and stays inside the piece's extent.
    expect(pieces('wante\u0301d')).toEqual(['want@want', '##ed@e\u0301d']);
  });

  it('cased vocabularies keep case', () => {
    expect(new WordPieceTokenizer(VOCAB, { lowerCase: false }).tokenize('Want want').map((t) => t.id)).toEqual([1, 4]);
  });

  it('property: extents are increasing, inside the text and never split a word between ids of two words', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('w', 'a', 'n', 't', 'e', 'd', 'u', 'r', 'i', 'g', ',', ' ', '\n', 'É', '😀') }), (text) => {
        const tokens = tokenizer.tokenize(text);
        let last = 0;
        for (const t of tokens) {
          expect(t.start).toBeGreaterThanOrEqual(last);
          expect(t.end).toBeGreaterThan(t.start);
          expect(t.end).toBeLessThanOrEqual(text.length);
          expect(/\s/.test(text.slice(t.start, t.end))).toBe(false);
          last = t.end;
        }
      }),
    );
  });

  it('rejects a vocabulary without the special tokens', () => {
    expect(() => new WordPieceTokenizer('want\n##ed\n')).toThrow(expect.objectContaining({ code: 'model-invalid' }));
  });
});
