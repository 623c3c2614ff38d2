import type { TextSpan } from './text-deidentifier.ts';

/** How sure a detector is; on overlap the stronger one names the category. */
export const SPAN_STRENGTH = { dictionary: 1, pattern: 2, context: 2, model: 2, labelled: 2.5, known: 3 } as const;

/** A span with the strength of the detector that found it (internal to the engine). */
export interface DetectedSpan extends TextSpan {
  readonly strength: number;
}

/** A detector: pure function from text to spans. Model detectors implement this too. */
export interface SpanDetector {
  /** Short id used as the prefix of `TextSpan.detector`, e.g. `regex`, `dictionary`, `model.onnx`. */
  readonly id: string;
  detect(text: string, out: DetectedSpan[]): void;
}

/** A detector that runs asynchronously (a model under onnxruntime-node); used by the engine's `*Async` methods. */
export interface AsyncSpanDetector {
  readonly id: string;
  detect(text: string): Promise<readonly DetectedSpan[]>;
}

/**
 * Sorts and merges overlapping or touching-by-overlap spans into one (recall first: the union of
 * the extents); the strongest span names the category and detector.
 */
export function mergeSpans(spans: readonly DetectedSpan[]): DetectedSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: DetectedSpan[] = [];
  for (const s of sorted) {
    if (s.end <= s.start) continue;
    const last = out[out.length - 1];
    if (last !== undefined && s.start < last.end) {
      const winner = s.strength > last.strength ? s : last;
      out[out.length - 1] = { ...winner, start: last.start, end: Math.max(last.end, s.end) };
    } else {
      out.push(s);
    }
  }
  return out;
}

const JOINABLE_GAP = /^\.?[ \t]{1,2}$/;

/**
 * Joins neighbouring name or place spans separated only by blanks (or the period of an initial):
 * `John` `A.` `Smith` → one `John A. Smith` span, so a full name is one annotation and one
 * surrogate. Input sorted and non-overlapping (as {@link mergeSpans} returns).
 */
export function joinAdjacent(text: string, spans: readonly DetectedSpan[]): DetectedSpan[] {
  const out: DetectedSpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last !== undefined && last.category === s.category && (s.category === 'name' || s.category === 'geographic') && JOINABLE_GAP.test(text.slice(last.end, s.start))) {
      out[out.length - 1] = { ...(s.strength > last.strength ? s : last), start: last.start, end: s.end };
    } else {
      out.push(s);
    }
  }
  return out;
}
