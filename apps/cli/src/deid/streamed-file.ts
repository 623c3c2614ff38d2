import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import type { DeidTally } from '@phiguard/deid';
import type { RecordedProblem } from './deid-journal.ts';

/** Bytes read at a time: memory per file stays near this, whatever the file's size. */
export const STREAM_CHUNK = 2 ** 20;

/** A file a format reads chunk by chunk instead of whole (constant memory). */
export interface StreamedFile {
  readonly bytes: number;
  /** The file on disk (the batch runner always sets it), for formats that read at offsets: DICOM copies Pixel Data's range. */
  readonly path?: string;
  /** The file from its start, chunk by chunk; may be called again (e.g. a first pass for patients). */
  chunks(): Iterable<Uint8Array>;
}

/** Where a streaming format writes its output, piece by piece. */
export interface OutputSink {
  write(piece: string | Uint8Array): void;
}

/** What a streaming format reports for one file (the output went to the sink). */
export type StreamOutcome =
  | { readonly ok: true; readonly records: number; readonly tally: DeidTally; readonly problems: readonly RecordedProblem[] }
  | { readonly ok: false; readonly problem: RecordedProblem };

/** Reads `file` in {@link STREAM_CHUNK} pieces; the descriptor is closed when the loop ends or breaks. */
export function* fileChunks(file: string): Generator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(STREAM_CHUNK);
      const n = readSync(fd, buf, 0, STREAM_CHUNK, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 (hex) of a file, read in chunks. */
export function sha256OfFile(file: string): string {
  const h = createHash('sha256');
  for (const c of fileChunks(file)) h.update(c);
  return h.digest('hex');
}

/** UTF-8 text pieces of byte chunks (a character split across chunks is decoded whole). */
export function* utf8Pieces(chunks: Iterable<Uint8Array>): Generator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let first = true;
  for (const c of chunks) {
    let s = decoder.decode(c, { stream: true });
    if (first) {
      s = s.replace(/^\uFEFF/, '');
      first = false;
    }
    if (s !== '') yield s;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * An output file written piece by piece to `<target>.partial` (mode 0600), hashed as it goes, and
 * renamed into place by {@link FileSink.commit} (so a crash never leaves a half file under the
 * final name).
 */
export class FileSink implements OutputSink {
  readonly #target: string;
  readonly #fd: number;
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #open = true;

  constructor(target: string) {
    this.#target = target;
    this.#fd = openSync(`${target}.partial`, 'w', 0o600);
  }

  write(piece: string | Uint8Array): void {
    const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    this.#hash.update(buf);
    for (let off = 0; off < buf.length; ) off += writeSync(this.#fd, buf, off);
    this.#bytes += buf.length;
  }

  /** Closes and renames into place; returns the output's hash and size. */
  commit(): { sha256: string; bytes: number } {
    this.close();
    renameSync(`${this.#target}.partial`, this.#target);
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    closeSync(this.#fd);
  }
}
