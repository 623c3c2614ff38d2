import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { DeidError } from '../../context/deid-error.ts';
import type { AsyncTokenClassifier, TokenPrediction } from './model-detector.ts';
import { WordPieceTokenizer, type WordPieceToken } from './wordpiece-tokenizer.ts';

/** What a BERT-style token classifier exported to ONNX is run with (a Hugging Face export's files, read by the caller). */
export interface OnnxTokenClassifierOptions {
  /** Short id for span detectors (`model.<id>.<label>`); default `onnx`. */
  readonly id?: string;
  /** The bytes of `model.onnx`: inputs `input_ids` (+ optional `attention_mask`, `token_type_ids`), int64 [batch, sequence]; output logits [batch, sequence, labels]. */
  readonly model: Uint8Array;
  /** The text of the WordPiece `vocab.txt` (must hold `[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`). */
  readonly vocab: string;
  /** Label of each logit index (`id2label` of the model's `config.json`), e.g. `O`, `B-PATIENT`, `I-DATE`. */
  readonly labels: readonly string[];
  /** Uncased vocabulary: lower-case and strip accents first (default true; `do_lower_case` of `tokenizer_config.json`). */
  readonly lowerCase?: boolean;
  /** Tokens per window including `[CLS]` and `[SEP]` (default 512, BERT's limit). */
  readonly maxTokens?: number;
  /** Tokens shared by consecutive windows (default a quarter of the window); each token takes its label from the window where it has the most context. */
  readonly overlap?: number;
  /** Windows per `session.run` (default 8). */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads (default 1: one core per note, scale with processes). */
  readonly threads?: number;
}

/** An {@link AsyncTokenClassifier} over an ONNX model; `close` frees the native session. */
export interface OnnxTokenClassifier extends AsyncTokenClassifier {
  readonly labels: readonly string[];
  close(): Promise<void>;
}

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

/** A window of token indexes [start, end) into the note's tokens. */
interface Window {
  readonly start: number;
  readonly end: number;
}

/** Windows of at most `body` tokens, consecutive ones sharing `overlap` tokens; the last ends at `n`. */
export function slidingWindows(n: number, body: number, overlap: number): Window[] {
  if (n <= body) return [{ start: 0, end: n }];
  const step = Math.max(1, body - overlap);
  const out: Window[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(n, start + body);
    out.push({ start: end - start < body ? Math.max(0, end - body) : start, end });
    if (end === n) return out;
  }
}

/**
 * Loads a token-classification model with onnxruntime-node (CPU, from the bytes given: nothing is
 * downloaded or read here) and returns a classifier that tokenizes with WordPiece, runs the note in
 * sliding windows of `maxTokens`, takes each word's label from its first piece (the `first`
 * aggregation of Hugging Face pipelines) and returns one prediction per word with its character
 * offsets. Errors are {@link DeidError}s: `model-invalid` (unreadable model, inputs outside the
 * contract, labels that do not fit), `model-failed` (a run that throws or returns the wrong shape).
 */
export async function createOnnxTokenClassifier(options: OnnxTokenClassifierOptions): Promise<OnnxTokenClassifier> {
  const id = options.id ?? 'onnx';
  const labels = Object.freeze([...options.labels]);
  if (labels.length === 0 || labels.some((l) => typeof l !== 'string' || l === '')) throw new DeidError('model-invalid', 'model labels must be non-empty strings', { place: { field: 'id2label' } });
  const maxTokens = options.maxTokens ?? 512;
  if (!Number.isInteger(maxTokens) || maxTokens < 3) throw new TypeError('maxTokens must be an integer of at least 3');
  const body = maxTokens - 2;
  const overlap = options.overlap ?? Math.floor(body / 4);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= body) throw new TypeError('overlap must be an integer in [0, maxTokens - 2)');
  const batchSize = options.batchSize ?? 8;
  const tokenizer = new WordPieceTokenizer(options.vocab, { lowerCase: options.lowerCase ?? true });

  // Loaded on first use only: the rule engine never pays for the native runtime.
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(options.model, { executionProviders: ['cpu'], intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (cause) {
    throw new DeidError('model-invalid', 'the ONNX model could not be loaded', { place: { path: 'model.onnx' }, cause });
  }
  const inputs = new Set(session.inputNames);
  const unknown = session.inputNames.find((name) => !KNOWN_INPUTS.has(name));
  if (!inputs.has('input_ids') || unknown !== undefined) {
    await session.release();
    throw new DeidError('model-invalid', 'the ONNX model inputs must be input_ids and optionally attention_mask and token_type_ids', { place: { path: 'model.onnx', field: unknown ?? 'input_ids' } });
  }
  const outputName = session.outputNames.includes('logits') ? 'logits' : (session.outputNames[0] ?? 'logits');

  /** Runs a batch of windows; returns per window, per token: [label index, probability]. */
  async function runBatch(tokens: readonly WordPieceToken[], windows: readonly Window[], first: number): Promise<Array<Array<[number, number]>>> {
    const width = Math.max(...windows.map((w) => w.end - w.start)) + 2;
    const size = windows.length * width;
    const ids = new BigInt64Array(size).fill(BigInt(tokenizer.special.pad));
    const mask = new BigInt64Array(size);
    windows.forEach((w, b) => {
      const row = b * width;
      ids[row] = BigInt(tokenizer.special.cls);
      for (let t = w.start; t < w.end; t++) ids[row + 1 + t - w.start] = BigInt(tokens[t]?.id ?? tokenizer.special.unk);
      ids[row + 1 + w.end - w.start] = BigInt(tokenizer.special.sep);
      mask.fill(1n, row, row + 2 + w.end - w.start);
    });
    const dims = [windows.length, width];
    const feeds: Record<string, Tensor> = { input_ids: new ort.Tensor('int64', ids, dims) };
    if (inputs.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, dims);
    if (inputs.has('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(size), dims);
    let logits: Tensor | undefined;
    try {
      logits = (await session.run(feeds))[outputName];
    } catch (cause) {
      throw new DeidError('model-failed', 'the ONNX model run failed', { place: { path: 'model.onnx', index: first }, cause });
    }
    const [db, ds, dl] = logits?.dims ?? [];
    if (logits === undefined || logits.type !== 'float32' || logits.dims.length !== 3 || db !== windows.length || ds !== width || dl !== labels.length) {
      throw new DeidError('model-failed', `the ONNX model output must be float32 [batch, sequence, ${String(labels.length)}] logits, one per label`, { place: { path: 'model.onnx', field: outputName } });
    }
    const data = logits.data as Float32Array;
    return windows.map((w, b) => {
      const out: Array<[number, number]> = [];
      for (let t = 0; t < w.end - w.start; t++) out.push(softmaxBest(data, (b * width + 1 + t) * labels.length, labels.length));
      return out;
    });
  }

  return {
    id,
    labels,
    async classify(text: string): Promise<readonly TokenPrediction[]> {
      const tokens = tokenizer.tokenize(text);
      if (tokens.length === 0) return [];
      const windows = slidingWindows(tokens.length, body, overlap);
      // Per token: best label, its probability and the context it had (distance to its window's edge).
      const best = new Array<{ label: number; score: number; context: number } | undefined>(tokens.length);
      for (let first = 0; first < windows.length; first += batchSize) {
        const batch = windows.slice(first, first + batchSize);
        const results = await runBatch(tokens, batch, first);
        batch.forEach((w, b) => {
          results[b]?.forEach(([label, score], k) => {
            const t = w.start + k;
            const context = Math.min(k, w.end - w.start - 1 - k);
            const seen = best[t];
            if (seen === undefined || context > seen.context) best[t] = { label, score, context };
          });
        });
      }
      // One prediction per word, labelled by its first piece and spanning all its pieces.
      const out: TokenPrediction[] = [];
      for (let t = 0; t < tokens.length; t++) {
        const token = tokens[t];
        const pick = best[t];
        if (token === undefined || pick === undefined) continue;
        let end = token.end;
        while (t + 1 < tokens.length && tokens[t + 1]?.word === token.word) end = tokens[++t]?.end ?? end;
        out.push({ start: token.start, end, label: labels[pick.label] ?? 'O', score: pick.score });
      }
      return out;
    },
    async close() {
      await session.release();
    },
  };
}

/** Index of the largest logit and its softmax probability. */
function softmaxBest(data: Float32Array, at: number, n: number): [number, number] {
  let arg = 0;
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = data[at + j] ?? -Infinity;
    if (v > max) {
      max = v;
      arg = j;
    }
  }
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp((data[at + j] ?? -Infinity) - max);
  return [arg, 1 / sum];
}
