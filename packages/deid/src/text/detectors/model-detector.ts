import { SPAN_STRENGTH, type AsyncSpanDetector, type DetectedSpan, type SpanDetector } from '../detected-span.ts';
import { categoryOfLabel } from '../eval/label-map.ts';
import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';

/** One labelled piece of text from a token-classification model (offsets in UTF-16 code units). */
export interface TokenPrediction {
  readonly start: number;
  readonly end: number;
  /** Model label, BIO prefix allowed: `B-PATIENT`, `I-DATE`, `PERSON`, `O`. */
  readonly label: string;
  readonly score: number;
}

/**
 * A token-classification model (e.g. a BERT-style de-identification model exported to ONNX and
 * run with onnxruntime-node). Synchronous because the {@link TextDeidentifier} port is; an async
 * runtime runs the model first and hands the predictions over through a classifier that returns
 * them. The model is loaded by the caller from a local file: nothing is downloaded at run time.
 */
export interface TokenClassifier {
  readonly id: string;
  classify(text: string): readonly TokenPrediction[];
}

/**
 * A token-classification model that runs asynchronously, as onnxruntime-node does
 * ({@link createOnnxTokenClassifier}). Used through `asyncDetectors` and the engine's
 * `detectAsync` / `deidentifyAsync`.
 */
export interface AsyncTokenClassifier {
  readonly id: string;
  classify(text: string): Promise<readonly TokenPrediction[]>;
}

export interface ModelDetectorOptions {
  /** Predictions under this score are dropped (default 0.5). */
  readonly minScore?: number;
  /** Label → category for labels outside the i2b2/MEDDOCAN/Presidio map. */
  readonly labels?: Readonly<Record<string, SafeHarborCategory | null>>;
}

type CategoryOf = (label: string) => SafeHarborCategory | null;

function categoryMapper(options: ModelDetectorOptions): CategoryOf {
  const labels = options.labels;
  return (label) => (labels !== undefined && label in labels ? (labels[label] ?? null) : categoryOfLabel(label));
}

/**
 * Predictions → spans: BIO prefixes stripped, an `I-` piece (or an unprefixed one with the same
 * label) joined to the open entity when only blanks or a hyphen lie between them, `O`, unmapped
 * labels, low scores and out-of-range offsets closing the open entity.
 */
function spansFromPredictions(text: string, predictions: readonly TokenPrediction[], classifierId: string, minScore: number, categoryOf: CategoryOf, out: DetectedSpan[]): void {
  let open: { start: number; end: number; label: string; category: SafeHarborCategory } | undefined;
  const flush = (): void => {
    if (open !== undefined) out.push({ start: open.start, end: open.end, category: open.category, detector: `model.${classifierId}.${open.label}`, strength: SPAN_STRENGTH.model });
    open = undefined;
  };
  const sorted = [...predictions].sort((a, b) => a.start - b.start);
  for (const p of sorted) {
    const bio = /^([BI])-(.+)$/.exec(p.label);
    const label = bio?.[2] ?? p.label;
    const category = p.score >= minScore && label !== 'O' ? categoryOf(label) : null;
    if (category === null || p.end <= p.start || p.start < 0 || p.end > text.length) {
      flush();
      continue;
    }
    const continues = open?.label === label && bio?.[1] !== 'B' && /^[\s-]*$/.test(text.slice(open.end, p.start));
    if (continues && open !== undefined) open.end = Math.max(open.end, p.end);
    else {
      flush();
      open = { start: p.start, end: p.end, label, category };
    }
  }
  flush();
}

/**
 * Wraps a {@link TokenClassifier} as a span detector (see `spansFromPredictions`: BIO pieces of
 * one entity joined, labels mapped to Safe Harbor categories). Off by default: pass the result in
 * `extraDetectors` of `createClinicalTextDeidentifier`. Spans from it are `model.<id>.<label>`.
 */
export function createModelDetector(classifier: TokenClassifier, options: ModelDetectorOptions = {}): SpanDetector {
  const minScore = options.minScore ?? 0.5;
  const categoryOf = categoryMapper(options);
  return {
    id: `model.${classifier.id}`,
    detect(text: string, out: DetectedSpan[]): void {
      spansFromPredictions(text, classifier.classify(text), classifier.id, minScore, categoryOf, out);
    },
  };
}

/**
 * The same for an {@link AsyncTokenClassifier} (an ONNX model): pass the result in
 * `asyncDetectors` and call the engine's `detectAsync` / `deidentifyAsync`; its spans are merged
 * with the rule detectors' spans (union, recall first).
 */
export function createAsyncModelDetector(classifier: AsyncTokenClassifier, options: ModelDetectorOptions = {}): AsyncSpanDetector {
  const minScore = options.minScore ?? 0.5;
  const categoryOf = categoryMapper(options);
  return {
    id: `model.${classifier.id}`,
    async detect(text: string): Promise<DetectedSpan[]> {
      const out: DetectedSpan[] = [];
      spansFromPredictions(text, await classifier.classify(text), classifier.id, minScore, categoryOf, out);
      return out;
    },
  };
}
