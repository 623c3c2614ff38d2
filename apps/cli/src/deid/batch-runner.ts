import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditRecorder } from '@phiguard/audit';
import { newId, type Clock, type Place } from '@phiguard/core';
import {
  DeidManifestBuilder,
  DeidTally,
  manifestHash,
  signManifest,
  type DeidManifest,
  type ManifestProfile,
  type ManifestSigner,
  type OutputNamer,
  type SignedDeidManifest,
} from '@phiguard/deid';
import { BatchError } from './batch-error.ts';
import { BatchProgress, type BatchStreams } from './batch-progress.ts';
import { DeidJournal, type JournalEntry, type RecordedProblem } from './deid-journal.ts';
import type { ReportNames } from './report-names.ts';
import { FileSink, fileChunks, sha256OfFile, type OutputSink, type StreamOutcome, type StreamedFile } from './streamed-file.ts';
import { walkInputs } from './walk-inputs.ts';

/** What a format (HL7v2, FHIR, DICOM, text) gives the batch runner for one file. */
export type FileOutcome =
  | {
      readonly ok: true;
      readonly output: Uint8Array;
      /** Records (messages, resources, instances) seen in the file, failed ones included. */
      readonly records: number;
      readonly tally: DeidTally;
      /** Records that failed (their place has an `index`); the rest of the file was processed. */
      readonly problems: readonly RecordedProblem[];
    }
  | { readonly ok: false; readonly problem: RecordedProblem };

export interface FormatProcessor {
  /** Manifest format name: `hl7v2`, `fhir`, `dicom`, `text`. */
  readonly format: string;
  /** Which files found inside folders are taken (named files always are), e.g. by extension. */
  accepts(relative: string): boolean;
  process(input: Uint8Array, relative: string): FileOutcome | Promise<FileOutcome>;
  /**
   * Record-by-record processing in constant memory (NDJSON, HL7 batch files): files it accepts are
   * never read whole; the output goes to a sink, hashed as it is written.
   */
  readonly stream?: {
    accepts(relative: string, bytes: number): boolean;
    process(file: StreamedFile, relative: string, sink: OutputSink): StreamOutcome | Promise<StreamOutcome>;
  };
}

export interface BatchOptions extends BatchStreams {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly cwd: string;
  readonly processor: FormatProcessor;
  /** Names the outputs (files and folders) from the inputs' relative paths; the input names when not given. */
  readonly namer?: OutputNamer;
  /** Which paths the progress lines show: `output` (the default) never prints an input name. */
  readonly reportNames?: ReportNames;
  readonly profile: ManifestProfile;
  readonly keyId: string;
  readonly signer: ManifestSigner;
  readonly clock: Clock;
  /** Records `deid.run` in the audit ledger when given. */
  readonly recorder?: AuditRecorder;
  /** Runs after a file was processed and before it is journaled as done (e.g. sealing linkage tokens). */
  readonly afterFile?: () => Promise<void>;
}

export interface BatchSummary {
  readonly files: number;
  /** Files found in input folders that this format does not take, counted by extension (`.xml`, `(none)`): never their names, which can hold PHI. */
  readonly skippedByExtension: Readonly<Record<string, number>>;
  readonly resumed: number;
  /** Failed files: the input path, where the output would go (none for a missing input), and the problem placed in the input. */
  readonly failed: readonly BatchProblem[];
  readonly recordProblems: readonly BatchProblem[];
  readonly manifest: DeidManifest;
  readonly signed: SignedDeidManifest;
  readonly manifestFile: string;
}

/** A problem of one file for the console report, which names the input or the output ({@link ReportNames}). */
export interface BatchProblem {
  readonly relative: string;
  readonly output?: string;
  readonly problem: RecordedProblem;
}

/** The signed manifest's file name inside the output folder. */
export const MANIFEST_FILE = 'deid-manifest.json';

/**
 * De-identifies every input file into `outDir`, keeping the relative layout with names from the
 * output namer: resumable through a journal, one file's failure never stops the batch, and it ends
 * with a signed manifest and a summary. Inputs are never modified; outputs are written to a
 * temporary name and renamed. Nothing written under `outDir` holds an input name unless the namer
 * keeps names.
 */
export async function runDeidBatch(options: BatchOptions): Promise<BatchSummary> {
  const { processor, clock } = options;
  const outDir = path.resolve(options.cwd, options.outDir);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const names = options.namer?.naming ?? 'keep';
  const opened = DeidJournal.open(outDir, { kind: 'header', format: processor.format, profileHash: options.profile.hash, keyId: options.keyId, names });
  if (!opened.ok) {
    throw new BatchError('journal-mismatch', 'the output folder holds a journal from another profile, key, format or --names', { hint: 'use a new --out folder, or the same options and key as before' });
  }
  const journal = opened.journal;
  const startedAt = new Date(clock.nowMs()).toISOString();
  const runId = newId('deid', clock);
  const builder = new DeidManifestBuilder({ runId, format: processor.format, profile: options.profile, keyId: options.keyId, startedAt });

  const walked = walkInputs(options.inputs, options.cwd, (rel) => processor.accepts(rel), new Set([outDir]), options.namer?.path);
  const failed: BatchProblem[] = [];
  const recordProblems: BatchProblem[] = [];
  for (const p of walked.problems) {
    const problem =
      p.kind === 'missing'
        ? { code: 'input-missing', message: 'input not found', place: { file: p.input } }
        : { code: 'output-collision', message: 'two inputs map to the same output path', place: { file: p.relative } };
    failed.push(p.kind === 'missing' ? { relative: p.input, problem } : { relative: p.relative, output: p.output, problem });
  }

  const reportNames = options.reportNames ?? 'output';
  const progress = new BatchProgress(options, walked.files.length);
  let resumed = 0;
  const folders = new Set<string>();
  try {
    for (const file of walked.files) {
      const size = statSync(file.absolute).size;
      const stream = processor.stream?.accepts(file.relative, size) === true ? processor.stream : undefined;
      const bytes = stream === undefined ? readFileSync(file.absolute) : undefined;
      const inputSha256 = bytes === undefined ? sha256OfFile(file.absolute) : sha256(bytes);
      let entry = journal.finished(file.output, inputSha256);
      const target = path.join(outDir, ...file.output.split('/'));
      if (entry !== undefined && entry.status === 'done' && !outputIntact(target, entry)) entry = undefined;
      if (entry === undefined) {
        const base = { kind: 'file' as const, relative: file.relative, output: file.output, inputSha256, inputBytes: size };
        entry = bytes === undefined || stream !== undefined
          ? await processStreamed(stream, { bytes: size, path: file.absolute, chunks: () => fileChunks(file.absolute) }, base, target, folders)
          : await processOne(processor, bytes, base, target, folders);
        await options.afterFile?.();
        journal.record(entry);
      } else {
        resumed += 1;
      }
      addToManifest(builder, entry);
      // The summary places problems in the input again; the report shows the input or the output (--report-names).
      const { relative, output } = file;
      if (entry.status === 'failed') failed.push({ relative, output, problem: placedIn(entry.problems[0] ?? { code: 'failed', message: 'failed', place: {} }, relative) });
      else for (const problem of entry.problems) recordProblems.push({ relative, output, problem: placedIn(problem, relative) });
      progress.tick(reportNames === 'output' ? output : relative === output ? relative : `${relative} → ${output}`, entry);
    }
  } finally {
    journal.close();
  }
  progress.stop();

  const manifest = builder.build(new Date(clock.nowMs()).toISOString());
  const signed = await signManifest(manifest, options.signer);
  const manifestFile = path.join(outDir, MANIFEST_FILE);
  writeAtomically(manifestFile, Buffer.from(`${JSON.stringify(signed, null, 2)}\n`));
  if (options.recorder !== undefined) {
    await options.recorder.record({
      actor: { kind: 'system', id: 'cli' },
      action: 'deid.run',
      outcome: failed.length === 0 ? 'success' : 'failure',
      resources: [{ type: 'deid-manifest', id: manifestHash(manifest) }],
      details: {
        format: processor.format,
        profile: options.profile.id,
        profileHash: options.profile.hash,
        keyId: options.keyId,
        manifestHash: manifestHash(manifest),
        files: manifest.totals.files,
        filesFailed: manifest.totals.filesFailed,
        records: manifest.totals.records,
        recordsFailed: manifest.totals.recordsFailed,
        changes: Object.values(manifest.counts.byCategory).reduce((a, b) => a + b, 0),
      },
    });
  }
  return { files: walked.files.length, skippedByExtension: countByExtension(walked.skipped), resumed, failed, recordProblems, manifest, signed, manifestFile };
}

interface EntryBase {
  readonly kind: 'file';
  /** The input's relative path: given to the format (extension, error places), never journaled. */
  readonly relative: string;
  readonly output: string;
  readonly inputSha256: string;
  readonly inputBytes: number;
}

/** A journal entry of `base` with the outcome's fields; problem places name the output, not the input. */
function entryOf(base: EntryBase, fields: Omit<JournalEntry, 'kind' | 'output' | 'inputSha256' | 'inputBytes'>): JournalEntry {
  const { kind, output, inputSha256, inputBytes } = base;
  return { ...fields, kind, output, inputSha256, inputBytes, problems: fields.problems.map((p) => placedIn(p, output)) };
}

/** `problem` with its place's file (when it names one) set to `file`. */
export function placedIn(problem: RecordedProblem, file: string): RecordedProblem {
  return problem.place.file === undefined ? problem : { ...problem, place: { ...problem.place, file } };
}

/** A bug or an untyped failure in a format: keep the batch going, record only the error's kind. */
function untypedFailure(error: unknown): { ok: false; problem: RecordedProblem } {
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'internal-error';
  return { ok: false, problem: { code, message: 'the file could not be processed', place: {} } };
}

async function processStreamed(stream: FormatProcessor['stream'], file: StreamedFile, base: EntryBase, target: string, folders: Set<string>): Promise<JournalEntry> {
  if (stream === undefined) throw new TypeError('processStreamed needs a streaming format');
  makeFolder(path.dirname(target), folders);
  const sink = new FileSink(target);
  let outcome: StreamOutcome;
  try {
    outcome = await stream.process(file, base.relative, sink);
  } catch (error) {
    outcome = untypedFailure(error);
  }
  if (!outcome.ok) {
    sink.close();
    rmSync(`${target}.partial`, { force: true });
    return entryOf(base, { status: 'failed', records: 0, tally: [], problems: [outcome.problem] });
  }
  const written = sink.commit();
  return entryOf(base, { status: 'done', outputSha256: written.sha256, outputBytes: written.bytes, records: outcome.records, tally: outcome.tally.entries(), problems: outcome.problems });
}

async function processOne(processor: FormatProcessor, bytes: Buffer, base: EntryBase, target: string, folders: Set<string>): Promise<JournalEntry> {
  let outcome: FileOutcome;
  try {
    outcome = await processor.process(bytes, base.relative);
  } catch (error) {
    outcome = untypedFailure(error);
  }
  if (!outcome.ok) return entryOf(base, { status: 'failed', records: 0, tally: [], problems: [outcome.problem] });
  makeFolder(path.dirname(target), folders);
  writeAtomically(target, outcome.output);
  return entryOf(base, {
    status: 'done',
    outputSha256: sha256(outcome.output),
    outputBytes: outcome.output.length,
    records: outcome.records,
    tally: outcome.tally.entries(),
    problems: outcome.problems,
  });
}

function countByExtension(relatives: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const relative of relatives) {
    const ext = path.extname(relative).toLowerCase();
    // An extension is short letters and digits; anything else (`.Whitfield_Harold`) could be part of a name.
    const key = /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : '(other)';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function addToManifest(builder: DeidManifestBuilder, entry: JournalEntry): void {
  if (entry.status === 'failed') {
    for (const p of entry.problems) builder.addProblem(entry.inputSha256, p.code, p.message, withoutIndex(p.place));
    return;
  }
  builder.addInput({ sha256: entry.inputSha256, bytes: entry.inputBytes }, entry.records);
  if (entry.outputSha256 !== undefined) builder.addOutput({ sha256: entry.outputSha256, bytes: entry.outputBytes ?? 0, input: entry.inputSha256 });
  const tally = new DeidTally();
  for (const t of entry.tally) tally.add(t.category, t.rule, t.n);
  builder.addTally(tally);
  for (const p of entry.problems) builder.addProblem(entry.inputSha256, p.code, p.message, { ...p.place, index: p.place.index ?? 0 });
}

function withoutIndex(place: Place): Place {
  return Object.fromEntries(Object.entries(place).filter(([k]) => k !== 'index'));
}

function outputIntact(target: string, entry: JournalEntry): boolean {
  try {
    return statSync(target).isFile() && sha256OfFile(target) === entry.outputSha256;
  } catch {
    return false;
  }
}

/** Creates an output folder once per batch (`made` remembers them), not once per file. */
function makeFolder(dir: string, made: Set<string>): void {
  if (made.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  made.add(dir);
}

function writeAtomically(file: string, bytes: Uint8Array): void {
  const temp = `${file}.partial`;
  writeFileSync(temp, bytes, { mode: 0o600 });
  renameSync(temp, file);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
