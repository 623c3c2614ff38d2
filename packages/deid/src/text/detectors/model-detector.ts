import { SPAN_STRENGTH, type DetectedSpan, type SpanDetector } from '../detected-span.ts';
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

export interface ModelDetectorOptions {
  /** Predictions under this score are dropped (default 0.5). */
  readonly minScore?: number;
  /** Label → category for labels outside the i2b2/MEDDOCAN/Presidio map. */
  readonly labels?: Readonly<Record<string, SafeHarborCategory | null>>;
}

/**
 * Wraps a {@link TokenClassifier} as a span detector: BIO prefixes stripped, adjacent pieces of
 * one entity joined, labels mapped to Safe Harbor categories. Off by default: pass the result in
 * `extraDetectors` of `createClinicalTextDeidentifier`. Spans from it are `model.<id>.<label>`.
 */
export function createModelDetector(classifier: TokenClassifier, options: ModelDetectorOptions = {}): SpanDetector {
  const minScore = options.minScore ?? 0.5;
  const categoryOf = (label: string): SafeHarborCategory | null => (options.labels !== undefined && label in options.labels ? (options.labels[label] ?? null) : categoryOfLabel(label));
  return {
    id: `model.${classifier.id}`,
    detect(text: string, out: DetectedSpan[]): void {
      let open: { start: number; end: number; label: string; category: SafeHarborCategory } | undefined;
      const flush = (): void => {
        if (open !== undefined) out.push({ start: open.start, end: open.end, category: open.category, detector: `model.${classifier.id}.${open.label}`, strength: SPAN_STRENGTH.model });
        open = undefined;
      };
      const sorted = [...classifier.classify(text)].sort((a, b) => a.start - b.start);
      for (const p of sorted) {
        const bio = /^([BI])-(.+)$/.exec(p.label);
        const label = bio?.[2] ?? p.label;
        const category = p.score >= minScore && label !== 'O' ? categoryOf(label) : null;
        if (category === null || p.end <= p.start || p.end > text.length) {
          flush();
          continue;
        }
        const continues = open?.label === label && bio?.[1] !== 'B' && /^[\s-]*$/.test(text.slice(open.end, p.start));
        if (continues && open !== undefined) open.end = p.end;
        else {
          flush();
          open = { start: p.start, end: p.end, label, category };
        }
      }
      flush();
    },
  };
}
