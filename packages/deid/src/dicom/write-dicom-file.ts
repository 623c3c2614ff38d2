import { close, closeSync, fdatasync, fdatasyncSync, open, openSync, read, write, writev, writevSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import type { SourceRange } from './dataset.ts';
import { DicomError } from './dicom-error.ts';
import type { Part } from './write-dicom.ts';

const openAsync = promisify(open);
const readAsync = promisify(read);
const writeAsync = promisify(write);
const writevAsync = promisify(writev);
const fdatasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

/** Copy block for ranges left in the input file: two of these are in flight (read ahead while writing). */
const COPY_BLOCK = 4 << 20;
/** Linux IOV_MAX. */
const IOV_MAX = 1024;
/**
 * One usable core (e.g. pinned with taskset): the pool's threads would share it with the JS thread,
 * so a round trip overlaps nothing and only adds CPU (bench deid-dicom, pinned, tmpfs: 60–140 µs
 * more per corpus file than blocking calls in a same-process comparison).
 */
const ONE_CORE = availableParallelism() === 1;

export interface WriteDicomFileOptions {
  /** fdatasync before close (default false: the batch journal decides durability, not every file). */
  readonly fsync?: boolean;
  /** File mode of a created output (default 0o600). */
  readonly mode?: number;
  /**
   * Write an output held whole in memory with blocking calls (default true). `false` sends the
   * file creation (the costly part of a small file on ext4: directory and inode updates under the
   * journal, where a call may wait) through libuv's thread pool so that, in a batch, it overlaps
   * the next files' CPU work; the write into the page cache and the close stay blocking (two more
   * pool round trips cost more CPU than they hid: same-process A/B, CPU −5 to −18 % per file).
   * Ignored where the process has one core to run on (`os.availableParallelism()`, which follows
   * the CPU affinity): there the pool has nothing to overlap. Streamed outputs (ranges of the
   * input file) are always copied through the pool.
   */
  readonly blocking?: boolean;
}

/** What is left of `batch` after a short write of `written` bytes. */
function afterShortWrite(batch: readonly Uint8Array[], written: number): Uint8Array[] {
  let skip = written;
  const rest: Uint8Array[] = [];
  for (const c of batch) {
    if (skip >= c.byteLength) skip -= c.byteLength;
    else {
      rest.push(skip > 0 ? c.subarray(skip) : c);
      skip = 0;
    }
  }
  return rest;
}

async function writeAll(fd: number, chunks: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += IOV_MAX) {
    let batch = chunks.slice(i, i + IOV_MAX);
    let left = batch.reduce((n, c) => n + c.byteLength, 0);
    while (left > 0) {
      const { bytesWritten } = await writevAsync(fd, batch);
      left -= bytesWritten;
      if (left > 0) batch = afterShortWrite(batch, bytesWritten);
    }
  }
}

async function readFull(fd: number, buffer: Buffer, length: number, position: number): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await readAsync(fd, buffer, done, length - done, position + done);
    if (bytesRead === 0)
      throw new DicomError('truncated', 'the input file changed while it was copied', { place: { index: position + done } });
    done += bytesRead;
  }
  return buffer.subarray(0, length);
}

async function writeFull(fd: number, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await writeAsync(fd, bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}

/** Copies [start, end) of `input` to the output's current position, reading the next block while writing this one. */
async function copyRange(input: number, output: number, range: SourceRange): Promise<void> {
  const total = range.end - range.start;
  const size = Math.min(COPY_BLOCK, total);
  const buffers: [Buffer, Buffer] = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let pos = range.start;
  let flip = 0;
  let pending: Promise<Buffer> | undefined = total > 0 ? readFull(input, buffers[0], Math.min(size, range.end - pos), pos) : undefined;
  while (pending !== undefined) {
    const block = await pending;
    pos += block.length;
    flip ^= 1;
    pending = pos < range.end ? readFull(input, flip === 0 ? buffers[0] : buffers[1], Math.min(size, range.end - pos), pos) : undefined;
    try {
      await writeFull(output, block);
    } catch (error) {
      await pending?.catch(() => undefined); // settle the read ahead before giving up
      throw error;
    }
  }
}

function writeAllSync(fd: number, chunks: readonly Uint8Array[]): void {
  for (let i = 0; i < chunks.length; i += IOV_MAX) {
    let batch = chunks.slice(i, i + IOV_MAX);
    let left = batch.reduce((n, c) => n + c.byteLength, 0);
    while (left > 0) {
      const n = writevSync(fd, batch);
      left -= n;
      if (left > 0) batch = afterShortWrite(batch, n);
    }
  }
}

/**
 * Writes output parts to `path`: in-memory chunks with gathered writes (writev), ranges of the
 * input file (streamed Pixel Data) copied block by block from `inputFd`, so memory stays at two
 * copy blocks whatever the file size.
 */
export async function writeDicomFile(
  path: string,
  parts: readonly Part[],
  inputFd: number,
  options: WriteDicomFileOptions = {},
): Promise<number> {
  if ((options.blocking !== false || ONE_CORE) && parts.every((p) => p instanceof Uint8Array)) {
    const chunks = parts as readonly Uint8Array[];
    const fd = openSync(path, 'w', options.mode ?? 0o600);
    try {
      writeAllSync(fd, chunks);
      if (options.fsync === true) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return chunks.reduce((n, c) => n + c.byteLength, 0);
  }
  const fd = await openAsync(path, 'w', options.mode ?? 0o600);
  if (parts.every((p) => p instanceof Uint8Array)) {
    const chunks = parts as readonly Uint8Array[];
    try {
      writeAllSync(fd, chunks);
      if (options.fsync === true) await fdatasyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    return chunks.reduce((n, c) => n + c.byteLength, 0);
  }
  let written = 0;
  try {
    let chunks: Uint8Array[] = [];
    for (const part of parts) {
      if (part instanceof Uint8Array) {
        chunks.push(part);
        written += part.byteLength;
        continue;
      }
      await writeAll(fd, chunks);
      chunks = [];
      await copyRange(inputFd, fd, part);
      written += part.end - part.start;
    }
    await writeAll(fd, chunks);
    if (options.fsync === true) await fdatasyncAsync(fd);
  } finally {
    await closeAsync(fd);
  }
  return written;
}
