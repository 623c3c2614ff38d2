import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DeidTally } from '../manifest/deid-tally.ts';
import type { DicomDeidOptions } from './deid/dicom-deid-options.ts';
import { createParsedDicomDeidentifier, type ParsedDicomOutcome } from './deidentify-dicom.ts';
import { DicomError } from './dicom-error.ts';
import { closeDicomFile, loadSourceValue, openDicomFile, type ReadDicomFileOptions } from './read-dicom-file.ts';
import { writeDicomParts } from './write-dicom.ts';
import { writeDicomFile, type WriteDicomFileOptions } from './write-dicom-file.ts';

export type DicomFileOutcome =
  | {
      readonly ok: true;
      readonly tally: DeidTally;
      readonly pixelsCleaned: boolean;
      readonly bytesWritten: number;
      readonly bytesInMemory: number;
    }
  | Exclude<ParsedDicomOutcome, { ok: true }>;

export interface DicomFileDeidOptions extends Omit<DicomDeidOptions, 'name'> {
  readonly read?: Omit<ReadDicomFileOptions, 'name'>;
  readonly write?: WriteDicomFileOptions;
}

/** De-identifies `input` into `output` (the output's folder must exist); `name` names the input in error places. */
export type DicomFileDeidentifier = (input: string, output: string, name?: string) => Promise<DicomFileOutcome>;

/**
 * The file-to-file form of {@link deidentifyDicom}: the input is read with {@link openDicomFile}
 * (large files streamed: only the header and what follows Pixel Data are in memory) and the
 * output written with {@link writeDicomFile}, Pixel Data copied from the input file unchanged.
 * All CPU work runs on the calling thread. Small files are read and written with blocking calls
 * (cheapest, measured); a streamed file's Pixel Data is copied through libuv's pool, so other
 * files in flight ({@link deidentifyDicomFiles}) go on meanwhile.
 */
export function createDicomFileDeidentifier(options: DicomFileDeidOptions): DicomFileDeidentifier {
  const deidentify = createParsedDicomDeidentifier(options);
  return async (input, output, name) => {
    const opened = await openDicomFile(input, { ...options.read, ...(name === undefined ? {} : { name }) });
    try {
      const r = deidentify(opened.file, {
        fileStart: opened.fileStart,
        ...(name === undefined ? {} : { name }),
        loadPixels: (e) => loadSourceValue(opened.fd, e),
      });
      if (!r.ok) return r;
      const bytesWritten = await writeDicomFile(output, writeDicomParts(r.file), opened.fd, options.write);
      return { ok: true, tally: r.tally, pixelsCleaned: r.pixelsCleaned, bytesWritten, bytesInMemory: opened.bytesInMemory };
    } finally {
      closeDicomFile(opened.fd);
    }
  };
}

export interface DicomFileJob {
  readonly input: string;
  readonly output: string;
  /** Names the input in error places and results (a relative path, never a patient value). */
  readonly name?: string;
}

export type DicomFileResult = { readonly job: DicomFileJob } & (
  DicomFileOutcome | { readonly ok: false; readonly reason: 'malformed'; readonly error: DicomError }
);

export interface DicomBatchOptions {
  /** Files in flight at once (default 4): a large file's copy, or file creation in the pool (`write.blocking: false`), overlap the others' CPU work. */
  readonly concurrency?: number;
  /** Called as each file finishes, in completion order. */
  readonly onResult?: (result: DicomFileResult) => void;
}

/**
 * Runs many files through a {@link DicomFileDeidentifier} with up to `concurrency` in flight and
 * output folders created once each. A malformed file is a result naming the file (a typed
 * {@link DicomError}), never the end of the batch; other errors (disk full, permissions) end it.
 */
export async function deidentifyDicomFiles(
  deidentify: DicomFileDeidentifier,
  jobs: Iterable<DicomFileJob>,
  options: DicomBatchOptions = {},
): Promise<DicomFileResult[]> {
  const results: DicomFileResult[] = [];
  const folders = new Map<string, Promise<unknown>>();
  const iterator = jobs[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
      const job = next.value;
      const folder = path.dirname(job.output);
      let made = folders.get(folder);
      if (made === undefined) {
        made = mkdir(folder, { recursive: true, mode: 0o700 });
        folders.set(folder, made);
      }
      await made;
      let result: DicomFileResult;
      try {
        result = { job, ...(await deidentify(job.input, job.output, job.name)) };
      } catch (error) {
        if (!(error instanceof DicomError)) throw error;
        result = { job, ok: false, reason: 'malformed', error };
      }
      results.push(result);
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return results;
}
