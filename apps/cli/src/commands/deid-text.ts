import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DeidTally, createAsyncModelDetector, createClinicalTextDeidentifier, createOnnxTokenClassifier, decodeTextBytes, encodeTextBytes, loadDictionaries, writeBrat, type AsyncSpanDetector, type OnnxTokenClassifier, type PatientIdentity, type ReplacementMode } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { BatchError } from '../deid/batch-error.ts';
import type { FileOutcome, FormatProcessor } from '../deid/batch-runner.ts';
import { runDeidCommand, type DeidCommandOptions, type DeidSetup } from '../deid/deid-command.ts';
import { deidRemotely } from '../remote/remote-mode.ts';

export interface DeidTextOptions extends DeidCommandOptions {
  /** Folder for the BRAT spans of each input (PHI: outside `--out`). */
  readonly spans?: string;
  readonly surrogates?: boolean;
  readonly tags?: boolean;
  readonly patient?: string;
  readonly model?: string;
  readonly modelMinScore?: string;
}

const TEXT_FILE = /\.(?:txt|text|note)$/i;

/** `--patient system|value`: the identity every input belongs to (consistent surrogates across formats). */
function parsePatient(value: string | undefined): PatientIdentity | undefined {
  if (value === undefined) return undefined;
  const bar = value.indexOf('|');
  if (bar <= 0 || bar === value.length - 1) throw new BatchError('bad-option', '--patient must be SYSTEM|VALUE', { place: { field: '--patient' } });
  return { system: value.slice(0, bar), value: value.slice(bar + 1) };
}

/**
 * `--model DIR`: a token-classification model folder as a Hugging Face ONNX export writes it
 * (`model.onnx`, `vocab.txt`, `config.json` with `id2label`, optional `tokenizer_config.json` with
 * `do_lower_case`). Read from disk only: nothing is downloaded.
 */
export async function loadModelFolder(dir: string, minScoreOption: string | undefined): Promise<{ classifier: OnnxTokenClassifier; detector: AsyncSpanDetector }> {
  const file = (name: string): string => {
    const at = path.join(dir, name);
    if (!existsSync(at)) throw new BatchError('bad-option', `the model folder lacks ${name}`, { place: { path: at, field: '--model' } });
    return at;
  };
  const minScore = minScoreOption === undefined ? 0.5 : Number(minScoreOption);
  if (!(minScore >= 0 && minScore <= 1)) throw new BatchError('bad-option', '--model-min-score must be a number from 0 to 1', { place: { field: '--model-min-score' } });
  let config: { id2label?: unknown; max_position_embeddings?: unknown };
  let lowerCase = true;
  try {
    config = JSON.parse(readFileSync(file('config.json'), 'utf8')) as typeof config;
    const tokenizerConfig = path.join(dir, 'tokenizer_config.json');
    if (existsSync(tokenizerConfig)) lowerCase = (JSON.parse(readFileSync(tokenizerConfig, 'utf8')) as { do_lower_case?: unknown }).do_lower_case !== false;
  } catch (cause) {
    if (cause instanceof BatchError) throw cause;
    throw new BatchError('bad-option', 'the model configuration is not valid JSON', { place: { path: dir, field: '--model' }, cause });
  }
  const id2label = config.id2label;
  if (typeof id2label !== 'object' || id2label === null) throw new BatchError('bad-option', 'config.json has no id2label', { place: { path: file('config.json'), field: 'id2label' } });
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels = entries.map((_, i) => (id2label as Record<string, unknown>)[String(i)]);
  if (labels.some((l) => typeof l !== 'string')) throw new BatchError('bad-option', 'id2label must map 0..n-1 to label strings', { place: { path: file('config.json'), field: 'id2label' } });
  const positions = typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : 512;
  const classifier = await createOnnxTokenClassifier({ id: 'onnx', model: readFileSync(file('model.onnx')), vocab: readFileSync(file('vocab.txt'), 'utf8'), labels: labels as string[], lowerCase, maxTokens: Math.min(512, positions) });
  return { classifier, detector: createAsyncModelDetector(classifier, { minScore }) };
}

/**
 * The text processor for the shared batch runner: de-identifies each note with the clinical text
 * engine; with `--spans DIR`, keeps the spans (BRAT standoff) to write `.ann` files into DIR.
 */
export function textProcessor(setup: DeidSetup, mode: ReplacementMode, patient: PatientIdentity | undefined, annotations: Map<string, string> | undefined, model: AsyncSpanDetector | undefined): FormatProcessor {
  const engine = createClinicalTextDeidentifier({ mode, dictionaries: loadDictionaries(), asyncDetectors: model === undefined ? [] : [model] });
  return {
    format: 'text',
    accepts: (relative) => TEXT_FILE.test(relative),
    async process(input, relative): Promise<FileOutcome> {
      // UTF-8, UTF-16 (with or without a byte-order mark) or Windows-1252, written back the same way.
      const { text, encoding, bom } = decodeTextBytes(input);
      // Without --patient, each file is its own patient: surrogates are consistent within the file.
      const context = setup.factory.forPatient(patient ?? { system: 'urn:phiguard:text-file', value: relative });
      const result = await engine.deidentifyAsync({ text, patient: context });
      const tally = new DeidTally();
      for (const s of result.spans) tally.add(s.category, `text.${s.detector}`);
      annotations?.set(relative, writeBrat(text, result.spans));
      return { ok: true, output: encodeTextBytes(result.text, encoding, bom), records: 1, tally, problems: [] };
    },
  };
}

/** The local run of `phiguard deid text` (or the remote one with `--server`); registered in deid-text-command.ts. */
export async function runDeidText(parent: Command, ctx: CliContext, inputs: string[], options: DeidTextOptions, command: Command): Promise<void> {
  if (await deidRemotely(ctx, command, 'text', inputs, options)) return;
  if (options.surrogates === true && options.tags === true) throw new BatchError('bad-option', 'choose one of --surrogates and --tags', { place: { field: '--surrogates' } });
  const mode: ReplacementMode = options.surrogates === true ? 'surrogates' : 'tags';
  const spansDir = options.spans === undefined ? undefined : reviewFolder(ctx.cwd, options.spans, options.out);
  const annotations = spansDir === undefined ? undefined : new Map<string, string>();
  const patient = parsePatient(options.patient);
  const root = parent.parent ?? parent;
  const model = options.model === undefined ? undefined : await loadModelFolder(path.resolve(ctx.cwd, options.model), options.modelMinScore);
  let summary;
  try {
    summary = await runDeidCommand(ctx, root, inputs, options, (setup) => textProcessor(setup, mode, patient, annotations, model?.detector));
  } finally {
    await model?.classifier.close();
  }
  if (annotations === undefined || spansDir === undefined) return;
  for (const [relative, ann] of annotations) {
    const input = path.join(spansDir, ...relative.split('/'));
    // `note.txt` → `note.ann`; a named file without a text extension gets `.ann` appended.
    const target = TEXT_FILE.test(input) ? input.replace(TEXT_FILE, '.ann') : `${input}.ann`;
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    writeFileSync(target, ann, { mode: 0o600 });
  }
  ctx.stdout.write(`spans: ${String(annotations.size)} .ann file(s) written to ${spansDir}, in the input layout (they hold PHI; ${String(summary.resumed)} resumed file(s) keep theirs)\n`);
}

/**
 * The `--spans` folder: the spans quote the input (its offsets and text), so they must not land
 * where the de-identified output goes, which is made to be shared.
 */
function reviewFolder(cwd: string, spans: string, out: string): string {
  const dir = path.resolve(cwd, spans);
  const outDir = path.resolve(cwd, out);
  const inside = (a: string, b: string): boolean => a === b || a.startsWith(`${b}${path.sep}`);
  if (inside(dir, outDir) || inside(outDir, dir)) {
    throw new BatchError('bad-option', '--spans must name a folder apart from --out: the spans quote the identifiers they found', { place: { field: '--spans' } });
  }
  return dir;
}
