import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeidError } from '../../context/deid-error.ts';
import { createClinicalTextDeidentifier } from '../clinical-text-deidentifier.ts';
import { engines } from '../test-engine.ts';
import { createAsyncModelDetector } from './model-detector.ts';
import { createOnnxTokenClassifier, slidingWindows, type OnnxTokenClassifier } from './onnx-token-classifier.ts';

// The model is built by fixtures/make-tiny-model.py: a context-free Gather + MatMul classifier whose
// vocabulary tags zorblat (B-NAME), quux and ##ix (I-NAME), snorfday (B-DATE), glimmer (I-DATE),
// maybe (B-NAME at probability e^0.5 / (e^0.5 + 4) ≈ 0.29) and everything else O.
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const TINY = path.join(FIXTURES, 'tiny-deid');
const model = readFileSync(path.join(TINY, 'model.onnx'));
const vocab = readFileSync(path.join(TINY, 'vocab.txt'), 'utf8');
const config = JSON.parse(readFileSync(path.join(TINY, 'config.json'), 'utf8')) as { id2label: Record<string, string> };
const labels = Object.keys(config.id2label)
  .sort((a, b) => Number(a) - Number(b))
  .map((k) => config.id2label[k] ?? 'O');

const open: OnnxTokenClassifier[] = [];
async function classifier(options: { maxTokens?: number; overlap?: number; batchSize?: number } = {}): Promise<OnnxTokenClassifier> {
  const c = await createOnnxTokenClassifier({ id: 'tiny', model, vocab, labels, ...options });
  open.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

/** Spans the detector gives for `text`, as [text, category, detector]. */
async function spansOf(c: OnnxTokenClassifier, text: string): Promise<Array<[string, string, string]>> {
  const spans = await createAsyncModelDetector(c).detect(text);
  return spans.map((s) => [text.slice(s.start, s.end), s.category, s.detector]);
}

describe('ONNX token classifier (tiny real model)', () => {
  let tiny: OnnxTokenClassifier;
  beforeAll(async () => {
    tiny = await classifier();
  });

  it('finds exactly the tagged words, joins B-/I- words and word pieces, maps labels to categories', async () => {
    const text = 'The patient Zorblat Quux was seen on snorfday glimmer by zorblatix at home.';
    expect(await spansOf(tiny, text)).toEqual([
      ['Zorblat Quux', 'name', 'model.tiny.NAME'],
      ['snorfday glimmer', 'date', 'model.tiny.DATE'],
      ['zorblatix', 'name', 'model.tiny.NAME'],
    ]);
  });

  it('maps offsets back through accents, case, tabs and astral characters', async () => {
    const text = '😀\tZÖRBLAT\u00a0— café,quux';
    expect(await spansOf(tiny, text)).toEqual([
      ['ZÖRBLAT', 'name', 'model.tiny.NAME'],
      ['quux', 'name', 'model.tiny.NAME'],
    ]);
  });

  it('drops predictions under the minimum score and O labels', async () => {
    expect(await spansOf(tiny, 'maybe the note')).toEqual([]);
    const low = await createAsyncModelDetector(tiny, { minScore: 0.25 }).detect('maybe the note');
    expect(low.map((s) => s.detector)).toEqual(['model.tiny.NAME']);
  });

  it('returns one prediction per word with its label probability', async () => {
    const predictions = await tiny.classify('zorblatix seen');
    expect(predictions.map((p) => [p.start, p.end, p.label])).toEqual([
      [0, 9, 'B-NAME'],
      [10, 14, 'O'],
    ]);
    expect(predictions[0]?.score).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 4), 5);
    expect(await tiny.classify('  \n ')).toEqual([]);
  });

  it('runs long notes in sliding windows: the same spans whatever the window, overlap and batch', async () => {
    const words = ['the', 'patient', 'zorblat', 'quux', 'seen', 'on', 'snorfday', 'glimmer', 'cafe', ',', 'zorblatix', 'note', 'qwerty'];
    const small = [await classifier({ maxTokens: 5, overlap: 0, batchSize: 1 }), await classifier({ maxTokens: 7, overlap: 2, batchSize: 3 }), await classifier({ maxTokens: 16, overlap: 7 })];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...words), { minLength: 0, maxLength: 60 }), fc.constantFrom(' ', '  ', '\n'), async (sequence, gap) => {
        const text = sequence.join(gap);
        const expected = await spansOf(tiny, text);
        for (const c of small) expect(await spansOf(c, text)).toEqual(expected);
        // Context-free model: every tagged word is found at its own offsets.
        const names = expected.filter(([, category]) => category === 'name').flatMap(([t]) => t.split(/\s+/));
        expect(names).toEqual(sequence.filter((w) => w === 'zorblat' || w === 'quux' || w === 'zorblatix'));
      }),
      { numRuns: 60 },
    );
  });

  it('covers every token with windows that overlap as asked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (n, body, o) => {
        const overlap = o % body;
        const windows = slidingWindows(n, body, overlap);
        expect(windows[0]?.start).toBe(0);
        expect(windows.at(-1)?.end).toBe(n);
        for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(body);
        for (let i = 1; i < windows.length; i++) expect(windows[i]?.start).toBeLessThanOrEqual(windows[i - 1]?.end ?? 0);
      }),
    );
  });

  it('merges model spans with the rule spans in the engine, through deidentifyAsync only', async () => {
    const engine = createClinicalTextDeidentifier({ dictionaries: engines().dictionaries, asyncDetectors: [createAsyncModelDetector(tiny)] });
    const text = 'Zorblat Quux was seen by Dr. Maria Lopez on 03/04/2021.';
    const result = await engine.deidentifyAsync({ text });
    expect(result.text).toBe('[NAME] was seen by Dr. [NAME] on [DATE].');
    expect(result.spans.map((s) => s.detector.split('.')[0])).toEqual(['model', 'dictionary', 'regex']);
    expect((await engine.detectAsync(text)).length).toBe(3);
    expect(() => engine.deidentify({ text })).toThrow(expect.objectContaining({ name: 'DeidError', code: 'model-not-awaited' }));
  });
});

describe('ONNX model errors are typed', () => {
  it('rejects bytes that are no ONNX model', async () => {
    const error = await createOnnxTokenClassifier({ model: new TextEncoder().encode('not a model'), vocab, labels }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeidError);
    expect(error).toMatchObject({ code: 'model-invalid', place: { path: 'model.onnx' } });
  });

  it('rejects a vocabulary without the special tokens and empty labels', async () => {
    await expect(createOnnxTokenClassifier({ model, vocab: 'the\nzorblat\n', labels })).rejects.toMatchObject({ code: 'model-invalid', place: { path: 'vocab.txt' } });
    await expect(createOnnxTokenClassifier({ model, vocab, labels: [] })).rejects.toMatchObject({ code: 'model-invalid' });
  });

  it('fails a run whose logits do not match the labels, naming the output and not the text', async () => {
    const broken = await createOnnxTokenClassifier({ model: readFileSync(path.join(FIXTURES, 'broken-output.onnx')), vocab, labels });
    open.push(broken);
    const error = await broken.classify('Zorblat Quux seen').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeidError);
    expect(error).toMatchObject({ code: 'model-failed', place: { field: 'logits' } });
    expect((error as Error).message).not.toMatch(/zorblat/i);
  });
});
