import { describe, expect, it } from 'vitest';
import type { TextSpan } from '../text-deidentifier.ts';
import type { GoldDocument } from './gold-document.ts';
import { evaluate, pooledRecall, prf } from './metrics.ts';

//           0         1         2         3         4
//           0123456789012345678901234567890123456789012345
const text = 'John Smith seen 3/4/21 by Dr Ann Lee at home.';
const doc: GoldDocument = {
  id: 'd1',
  text,
  spans: [
    { start: 0, end: 10, label: 'PATIENT', category: 'name' }, // John Smith (2 tokens)
    { start: 16, end: 22, label: 'DATE', category: 'date' }, // 3/4/21 (3 tokens)
    { start: 29, end: 36, label: 'DOCTOR', category: 'name' }, // Ann Lee (2 tokens)
    { start: 40, end: 44, label: 'PROFESSION', category: null }, // "home": neutral
  ],
};

describe('evaluation metrics (hand-computed)', () => {
  it('scores tokens, spans, categories and misses', () => {
    const predicted: TextSpan[] = [
      { start: 0, end: 10, category: 'name', detector: 't' }, // exact: 2 tokens
      { start: 16, end: 20, category: 'phone', detector: 't' }, // partial, wrong category: "3", "4" found; "21" missed
      { start: 29, end: 32, category: 'name', detector: 't' }, // "Ann" found, "Lee" missed
      { start: 26, end: 28, category: 'name', detector: 't' }, // "Dr": false positive
      { start: 40, end: 44, category: 'geographic', detector: 't' }, // on neutral: ignored
    ];
    const r = evaluate([doc], () => predicted);
    // tokens, relaxed: gold 7 (John Smith 3 4 21 Ann Lee); found 5 (John Smith 3 4 Ann); FP 1 (Dr)
    expect(r.tokens.relaxed).toEqual(prf(5, 1, 2));
    expect(r.tokens.relaxed.precision).toBeCloseTo(5 / 6);
    expect(r.tokens.relaxed.recall).toBeCloseTo(5 / 7);
    expect(r.tokens.relaxed.f1).toBeCloseTo((2 * (5 / 6) * (5 / 7)) / (5 / 6 + 5 / 7));
    // strict: "3","4" have the wrong category: TP 3 (John Smith Ann), FN 4, FP 1 (Dr) + 2 (3, 4)
    expect(r.tokens.strict).toEqual(prf(3, 3, 4));
    // spans strict: only John Smith exact. FN 2. FP: 3 predicted spans not exact (neutral one ignored)
    expect(r.spans.strict).toEqual(prf(1, 3, 2));
    // spans relaxed: all 3 gold overlapped; FP 1 (Dr)
    expect(r.spans.relaxed).toEqual(prf(3, 1, 0));
    expect(r.perCategory.name).toEqual({ goldTokens: 4, tokenRecall: 0.75, predictedTokens: 4, tokenPrecision: 0.75, goldSpans: 2, spanRecallStrict: 0.5, spanRecallRelaxed: 1 });
    expect(r.perCategory.date?.tokenRecall).toBeCloseTo(2 / 3);
    expect(r.perCategory.phone).toMatchObject({ goldTokens: 0, predictedTokens: 2, tokenPrecision: 1 });
    expect(r.misses.map((m) => m.text)).toEqual(['3/4/21', 'Ann Lee']);
    expect(pooledRecall(r, ['name', 'date'])).toBeCloseTo(5 / 7, 5);
  });

  it('is perfect for predictions equal to the gold spans, and empty sets score 1', () => {
    const perfect = evaluate([doc], (d) => d.spans.filter((s) => s.category !== null).map((s) => ({ start: s.start, end: s.end, category: s.category ?? 'name', detector: 'gold' })));
    expect(perfect.tokens.strict).toEqual(prf(7, 0, 0));
    expect(perfect.spans.strict.f1).toBe(1);
    expect(perfect.misses).toEqual([]);
    expect(prf(0, 0, 0)).toEqual({ tp: 0, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
  });
});
