import { closeSync, openSync, readSync } from 'node:fs';
import { STREAM_CHUNK } from '../deid/streamed-file.ts';
import { ServeDeidError } from './serve-deid-error.ts';

/** Where a spool stands: still growing, complete (the upload ended with the declared size), or aborted. */
export type SpoolState = 'growing' | 'complete' | 'aborted';

const STATES: readonly SpoolState[] = ['growing', 'complete', 'aborted'];
/** Slots of the shared array: bytes written to the file, state, and a counter the reader waits on. */
const BYTES = 0;
const STATE = 1;
const SEQ = 2;
/** How long the reader waits without news before it gives up on the upload (a stalled client must not hold the worker). */
export const SPOOL_STALL_MS = 60_000;

/**
 * How far an upload has been spooled, shared between the main thread (which writes the spool and
 * calls {@link SpoolProgress.wrote} once each piece is in the file) and the worker thread, which
 * reads the file as it grows ({@link growingChunks}) and blocks (`Atomics.wait`) while it has read
 * everything written so far. Bytes counted here are in the file: a read of another descriptor sees
 * them (no fsync: the spool is deleted after the request anyway).
 */
export class SpoolProgress {
  readonly buffer: SharedArrayBuffer;
  readonly #slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * 8)) {
    this.buffer = buffer;
    this.#slots = new BigInt64Array(buffer);
  }

  /** Writer: `bytes` are now in the file. */
  wrote(bytes: number): void {
    Atomics.store(this.#slots, BYTES, BigInt(bytes));
    this.#wake();
  }

  /** Writer: the upload ended (complete) or failed (aborted); the first call wins. */
  ended(state: Exclude<SpoolState, 'growing'>): void {
    if (Atomics.compareExchange(this.#slots, STATE, 0n, BigInt(STATES.indexOf(state))) !== 0n) return;
    this.#wake();
  }

  /** The bytes in the file and the state, now. */
  now(): { readonly bytes: number; readonly state: SpoolState } {
    return { bytes: Number(Atomics.load(this.#slots, BYTES)), state: STATES[Number(Atomics.load(this.#slots, STATE))] ?? 'aborted' };
  }

  /**
   * Reader (worker thread only: it blocks): waits until at least `bytes` are in the file or the
   * upload ended; fails with `transfer-aborted` when it was aborted or sent nothing for `stallMs`.
   */
  waitFor(bytes: number, stallMs = SPOOL_STALL_MS): { readonly bytes: number; readonly state: SpoolState } {
    for (;;) {
      const seq = Atomics.load(this.#slots, SEQ);
      const now = this.now();
      if (now.state === 'aborted') throw new ServeDeidError('transfer-aborted', 'the upload ended before the file was complete', { place: { field: 'body' } });
      if (now.bytes >= bytes || now.state === 'complete') return now;
      if (Atomics.wait(this.#slots, SEQ, seq, stallMs) === 'timed-out') {
        throw new ServeDeidError('transfer-aborted', 'the upload stalled', { place: { field: 'body' } });
      }
    }
  }

  #wake(): void {
    Atomics.add(this.#slots, SEQ, 1n);
    Atomics.notify(this.#slots, SEQ);
  }
}

/**
 * The spooled file read from its start as it grows, in the same {@link STREAM_CHUNK} pieces as
 * `fileChunks` reads a whole file (so the engines see the same chunks as the local command); ends
 * when the upload completed and everything was read. Worker thread only.
 */
export function* growingChunks(file: string, progress: SpoolProgress): Generator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    for (let offset = 0; ;) {
      const { bytes } = progress.waitFor(offset + STREAM_CHUNK);
      const want = Math.min(STREAM_CHUNK, bytes - offset);
      if (want <= 0) return;
      const buf = Buffer.allocUnsafe(want);
      let n = 0;
      while (n < want) {
        const got = readSync(fd, buf, n, want - n, offset + n);
        if (got === 0) throw new ServeDeidError('transfer-aborted', 'the spooled upload is shorter than reported', { place: { field: 'body' } });
        n += got;
      }
      offset += n;
      yield buf;
    }
  } finally {
    closeSync(fd);
  }
}

/** Blocks until the upload is complete (for engines that read the file whole or at offsets). Worker thread only. */
export function awaitComplete(progress: SpoolProgress): number {
  for (;;) {
    const now = progress.waitFor(Number.MAX_SAFE_INTEGER);
    if (now.state === 'complete') return now.bytes;
  }
}
