import { describe, expect, it } from 'vitest';
import { createClinicalTextDeidentifier } from '../clinical-text-deidentifier.ts';
import { engines } from '../test-engine.ts';
import { createModelDetector, type TokenClassifier } from './model-detector.ts';

/** A deterministic classifier standing in for an ONNX model: labels every occurrence of given words. */
function lexiconClassifier(entries: Readonly<Record<string, string>>): TokenClassifier {
  return {
    id: 'lexicon',
    classify(text) {
      const out = [];
      for (const [word, label] of Object.entries(entries)) {
        for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) out.push({ start: at, end: at + word.length, label, score: 0.9 });
      }
      return out;
    },
  };
}

describe('model detector', () => {
  it('joins B-/I- pieces, maps labels to categories and drops low scores and O', () => {
    const text = 'Seen by zorblat quux at home.';
    const classifier: TokenClassifier = {
      id: 'fake',
      classify: () => [
        { start: 8, end: 15, label: 'B-DOCTOR', score: 0.97 },
        { start: 16, end: 20, label: 'I-DOCTOR', score: 0.95 },
        { start: 24, end: 28, label: 'B-LOCATION_OTHER', score: 0.2 },
        { start: 0, end: 4, label: 'O', score: 0.99 },
      ],
    };
    const spans: Parameters<ReturnType<typeof createModelDetector>['detect']>[1] = [];
    createModelDetector(classifier).detect(text, spans);
    expect(spans.map((s) => [text.slice(s.start, s.end), s.category, s.detector])).toEqual([['zorblat quux', 'name', 'model.fake.DOCTOR']]);
  });

  it('plugs into the engine as an extra detector', () => {
    const engine = createClinicalTextDeidentifier({ dictionaries: engines().dictionaries, extraDetectors: [createModelDetector(lexiconClassifier({ zorblat: 'PATIENT' }))] });
    const result = engine.deidentify({ text: 'the zorblat case' });
    expect(result.text).toBe('the [NAME] case');
    expect(result.spans[0]?.detector).toBe('model.lexicon.PATIENT');
  });
});
