import { readFileSync } from 'node:fs';
import type { TallyEntry } from '@phiguard/deid';
import type { FormatProcessor } from '../deid/batch-runner.ts';
import type { RecordedProblem } from '../deid/deid-journal.ts';
import { fileChunks, type OutputSink } from '../deid/streamed-file.ts';
import { awaitComplete, growingChunks, SpoolProgress } from './deid-spool-progress.ts';

/** One spooled file for the de-identification worker. */
export interface DeidJob {
  readonly format: string;
  readonly profile: string;
  readonly relative: string;
  /** The spooled input (mode 0600) and its size (declared by the client while it is still growing). */
  readonly input: string;
  readonly bytes: number;
  /**
   * Set while the input is still being spooled (a {@link SpoolProgress} buffer): a streaming engine
   * reads it as it grows; the whole-file engine waits for its end. Never set for formats that read
   * at offsets (DICOM).
   */
  readonly growing?: SharedArrayBuffer;
  /** Where the output is written as it is produced (created empty by the caller). */
  readonly output: string;
}

/** What a job gave (structured-clone safe: it crosses the worker boundary). */
export type JobOutcome =
  | { readonly ok: true; readonly records: number; readonly tally: readonly TallyEntry[]; readonly problems: readonly RecordedProblem[] }
  | { readonly ok: false; readonly problem: RecordedProblem };

/**
 * De-identifies one spooled file exactly as the local batch runner would (batch-runner.ts): the
 * streaming engine when the format takes a file of this name and size (NDJSON, HL7 and DICOM
 * files over 8 MiB, Bundles over 64 MiB), else the whole-file engine. Output goes to `sink`.
 */
export async function runDeidJob(processor: FormatProcessor, job: DeidJob, sink: OutputSink): Promise<JobOutcome> {
  try {
    const progress = job.growing === undefined ? undefined : new SpoolProgress(job.growing);
    const stream = processor.stream?.accepts(job.relative, job.bytes) === true ? processor.stream : undefined;
    if (stream !== undefined) {
      const chunks = progress === undefined ? (): Iterable<Uint8Array> => fileChunks(job.input) : (): Iterable<Uint8Array> => growingChunks(job.input, progress);
      const outcome = await stream.process({ bytes: job.bytes, path: job.input, chunks }, job.relative, sink);
      return outcome.ok ? { ok: true, records: outcome.records, tally: outcome.tally.entries(), problems: outcome.problems } : outcome;
    }
    if (progress !== undefined) awaitComplete(progress);
    const outcome = await processor.process(readFileSync(job.input), job.relative);
    if (!outcome.ok) return outcome;
    sink.write(outcome.output);
    return { ok: true, records: outcome.records, tally: outcome.tally.entries(), problems: outcome.problems };
  } catch (error) {
    // As the batch runner: a bug or an untyped failure is recorded by its kind only.
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'internal-error';
    return { ok: false, problem: { code, message: 'the file could not be processed', place: {} } };
  }
}
