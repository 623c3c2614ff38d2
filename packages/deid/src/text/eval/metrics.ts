import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';
import type { TextSpan } from '../text-deidentifier.ts';
import type { GoldDocument } from './gold-document.ts';

/** Counts and ratios. Ratios of an empty denominator are 1 (nothing to find / nothing claimed). */
export interface Prf {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface CategoryFigures {
  readonly goldTokens: number;
  readonly tokenRecall: number;
  readonly predictedTokens: number;
  readonly tokenPrecision: number;
  readonly goldSpans: number;
  readonly spanRecallStrict: number;
  readonly spanRecallRelaxed: number;
}

/** A gold span not (fully) found, for local review. Contains PHI: write it to a private file only. */
export interface Miss {
  readonly document: string;
  readonly category: SafeHarborCategory;
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface EvaluationReport {
  readonly documents: number;
  /** Token level. relaxed: any identifier category counts; strict: the category must match. */
  readonly tokens: { readonly relaxed: Prf; readonly strict: Prf };
  /** Span level. strict: same start and end; relaxed: any overlap. Category-agnostic. */
  readonly spans: { readonly strict: Prf; readonly relaxed: Prf };
  readonly perCategory: Readonly<Partial<Record<SafeHarborCategory, CategoryFigures>>>;
  readonly misses: readonly Miss[];
}

export function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

const TOKEN = /[\p{L}\p{N}]+/gu;

interface Counter {
  goldTokens: number;
  foundTokens: number;
  predictedTokens: number;
  correctPredicted: number;
  goldSpans: number;
  strictSpans: number;
  relaxedSpans: number;
}

function counter(): Counter {
  return { goldTokens: 0, foundTokens: 0, predictedTokens: 0, correctPredicted: 0, goldSpans: 0, strictSpans: 0, relaxedSpans: 0 };
}

/** The span in `spans` covering any part of [start, end), if any (spans need not be sorted). */
function covering<T extends { readonly start: number; readonly end: number }>(spans: readonly T[], start: number, end: number): T | undefined {
  for (const s of spans) if (s.start < end && start < s.end) return s;
  return undefined;
}

/**
 * Scores predicted spans against gold spans. Tokens are runs of letters and digits; a token is
 * gold when a gold span overlaps it and predicted when a predicted span does. Gold spans with a
 * null category are neutral: tokens under them count neither way. Misses list every gold span
 * with at least one token not predicted.
 */
export function evaluate(documents: readonly GoldDocument[], predict: (doc: GoldDocument) => readonly TextSpan[]): EvaluationReport {
  let tokRelTp = 0, tokRelFp = 0, tokRelFn = 0, tokStrTp = 0, tokStrFp = 0, tokStrFn = 0;
  let spStrTp = 0, spStrFn = 0, spStrFp = 0, spRelTp = 0, spRelFn = 0, spRelFp = 0;
  const per = new Map<SafeHarborCategory, Counter>();
  const at = (c: SafeHarborCategory): Counter => {
    let v = per.get(c);
    if (v === undefined) per.set(c, (v = counter()));
    return v;
  };
  const misses: Miss[] = [];
  for (const doc of documents) {
    const predicted = predict(doc);
    const gold = doc.spans.filter((s) => s.category !== null);
    const neutral = doc.spans.filter((s) => s.category === null);
    const missed = new Set<(typeof gold)[number]>();
    for (const m of doc.text.matchAll(TOKEN)) {
      const start = m.index;
      const end = start + m[0].length;
      const g = covering(gold, start, end);
      const p = covering(predicted, start, end);
      if (g === undefined && p === undefined) continue;
      if (g === undefined && covering(neutral, start, end) !== undefined) continue;
      if (g !== undefined && g.category !== null) {
        const c = at(g.category);
        c.goldTokens++;
        if (p !== undefined) {
          c.foundTokens++;
          tokRelTp++;
        } else {
          tokRelFn++;
          missed.add(g);
        }
        if (p?.category === g.category) tokStrTp++;
        else {
          tokStrFn++;
          if (p !== undefined) tokStrFp++;
        }
      } else if (p !== undefined) {
        tokRelFp++;
        tokStrFp++;
      }
      if (p !== undefined) {
        const c = at(p.category);
        c.predictedTokens++;
        if (g !== undefined) c.correctPredicted++;
      }
    }
    for (const g of gold) {
      if (g.category === null) continue;
      const c = at(g.category);
      c.goldSpans++;
      const strict = predicted.some((p) => p.start === g.start && p.end === g.end);
      const relaxed = covering(predicted, g.start, g.end) !== undefined;
      if (strict) {
        c.strictSpans++;
        spStrTp++;
      } else spStrFn++;
      if (relaxed) {
        c.relaxedSpans++;
        spRelTp++;
      } else spRelFn++;
      if (missed.has(g)) misses.push({ document: doc.id, category: g.category, label: g.label, start: g.start, end: g.end, text: doc.text.slice(g.start, g.end) });
    }
    for (const p of predicted) {
      if (covering(neutral, p.start, p.end) !== undefined && covering(gold, p.start, p.end) === undefined) continue;
      if (!gold.some((g) => g.start === p.start && g.end === p.end)) spStrFp++;
      if (covering(gold, p.start, p.end) === undefined) spRelFp++;
    }
  }
  const perCategory: Partial<Record<SafeHarborCategory, CategoryFigures>> = {};
  for (const [cat, c] of [...per.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    perCategory[cat] = {
      goldTokens: c.goldTokens,
      tokenRecall: c.goldTokens === 0 ? 1 : c.foundTokens / c.goldTokens,
      predictedTokens: c.predictedTokens,
      tokenPrecision: c.predictedTokens === 0 ? 1 : c.correctPredicted / c.predictedTokens,
      goldSpans: c.goldSpans,
      spanRecallStrict: c.goldSpans === 0 ? 1 : c.strictSpans / c.goldSpans,
      spanRecallRelaxed: c.goldSpans === 0 ? 1 : c.relaxedSpans / c.goldSpans,
    };
  }
  return {
    documents: documents.length,
    tokens: { relaxed: prf(tokRelTp, tokRelFp, tokRelFn), strict: prf(tokStrTp, tokStrFp, tokStrFn) },
    spans: { strict: prf(spStrTp, spStrFp, spStrFn), relaxed: prf(spRelTp, spRelFp, spRelFn) },
    perCategory,
    misses,
  };
}

/** Categories pooled as "ids" in the headline figures (every identifying number or address). */
export const ID_CATEGORIES: readonly SafeHarborCategory[] = ['phone', 'fax', 'email', 'ssn', 'mrn', 'health-plan', 'account', 'license', 'vehicle', 'device', 'url', 'ip', 'other-id'];

/** Token recall pooled over some categories (e.g. {@link ID_CATEGORIES}); 1 when none is present. */
export function pooledRecall(report: EvaluationReport, categories: readonly SafeHarborCategory[]): number {
  let gold = 0;
  let found = 0;
  for (const c of categories) {
    const f = report.perCategory[c];
    if (f === undefined) continue;
    gold += f.goldTokens;
    found += f.tokenRecall * f.goldTokens;
  }
  return gold === 0 ? 1 : Math.round((found / gold) * 1e6) / 1e6;
}
