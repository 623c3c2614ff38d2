import { readSync } from 'node:fs';
import {
  DicomError,
  closeDicomFile,
  loadSourceValue,
  openDicomFile,
  writeDicomParts,
  type DicomSourceRange,
  type ParsedDicomDeidentifier,
  type ParsedDicomOutcome,
  type ReadDicomFileOptions,
} from '@phiguard/deid';
import type { RecordedProblem } from './deid-journal.ts';
import type { OutputSink, StreamOutcome } from './streamed-file.ts';

/** Files larger than this take the streamed path (default): their Pixel Data is never in memory. */
export const DICOM_STREAM_BYTES = 8 * 2 ** 20;

/** Pixel Data is copied from the input to the output sink in blocks of this size (one buffer, reused). */
const COPY_BLOCK = 4 * 2 ** 20;

/** The per-file problem for a quarantined instance (PS3.15 §E.3.1): the same on both paths. */
export function quarantined(outcome: Extract<ParsedDicomOutcome, { ok: false }>, relative: string): RecordedProblem {
  return { code: 'burned-in-annotation', message: `quarantined: the pixels may show identifying text (${outcome.detail})`, place: { file: relative } };
}

/** A malformed file as a per-file problem (code, message and place of the typed error; never a value). */
export function malformed(error: DicomError, relative: string): RecordedProblem {
  return { code: error.code, message: error.message, place: error.place ?? { file: relative } };
}

/** Copies [start, end) of the open input to the sink, block by block. */
function copyRange(fd: number, range: DicomSourceRange, sink: OutputSink, block: Buffer, relative: string): void {
  for (let pos = range.start; pos < range.end; ) {
    const n = readSync(fd, block, 0, Math.min(block.length, range.end - pos), pos);
    // The file shrank after it was opened (another writer): a typed error, not a short output.
    if (n === 0) throw new DicomError('truncated', 'the input file changed while it was copied', { place: { file: relative, index: pos } });
    sink.write(block.subarray(0, n));
    pos += n;
  }
}

/**
 * De-identifies one DICOM file from disk into `sink` without holding its Pixel Data: the header
 * is read incrementally ({@link openDicomFile}), the data set de-identified as on the whole-file
 * path, and the output's parts written in order — in-memory elements as they are, Pixel Data
 * (a byte range of the input) copied in {@link COPY_BLOCK} blocks. The output bytes equal the
 * whole-file path's (`writeDicomChunks` of the same result). Pixel Data is read into memory only
 * when `--burned-in clean` must blank regions of it.
 */
export async function streamDicomFile(
  deidentify: ParsedDicomDeidentifier,
  file: string,
  relative: string,
  sink: OutputSink,
  read: Omit<ReadDicomFileOptions, 'name'> = {},
): Promise<StreamOutcome> {
  let opened: Awaited<ReturnType<typeof openDicomFile>>;
  try {
    opened = await openDicomFile(file, { ...read, name: relative });
  } catch (error) {
    if (error instanceof DicomError) return { ok: false, problem: malformed(error, relative) };
    throw error;
  }
  try {
    const fd = opened.fd;
    const r = deidentify(opened.file, { fileStart: opened.fileStart, name: relative, loadPixels: (e) => loadSourceValue(fd, e) });
    if (!r.ok) return { ok: false, problem: quarantined(r, relative) };
    let block: Buffer | undefined;
    for (const part of writeDicomParts(r.file)) {
      if (part instanceof Uint8Array) sink.write(part);
      else copyRange(fd, part, sink, (block ??= Buffer.allocUnsafeSlow(COPY_BLOCK)), relative);
    }
    return { ok: true, records: 1, tally: r.tally, problems: [] };
  } catch (error) {
    if (error instanceof DicomError) return { ok: false, problem: malformed(error, relative) };
    throw error;
  } finally {
    closeDicomFile(opened.fd);
  }
}
