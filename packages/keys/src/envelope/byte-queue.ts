/**
 * A FIFO of byte chunks that hands out exact lengths as views into the chunks it holds, so the
 * envelope streams never copy or concatenate bulk data (only 16-byte tags are copied).
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #first = 0;
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Removes exactly `n` bytes from the front and returns them as views (no copy). */
  take(n: number): Buffer[] {
    if (n > this.#length) throw new RangeError('ByteQueue.take past the end');
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[this.#first];
      if (chunk === undefined) throw new RangeError('ByteQueue out of sync');
      const available = chunk.length - this.#offset;
      if (available <= left) {
        out.push(this.#offset === 0 ? chunk : chunk.subarray(this.#offset));
        left -= available;
        this.#chunks[this.#first] = EMPTY;
        this.#first += 1;
        this.#offset = 0;
      } else {
        out.push(chunk.subarray(this.#offset, this.#offset + left));
        this.#offset += left;
        left = 0;
      }
    }
    this.#length -= n;
    if (this.#first > 64 && this.#first * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
    return out;
  }

  /** Removes exactly `n` bytes from the front into one new buffer (for small fields). */
  takeCopy(n: number): Buffer {
    const parts = this.take(n);
    return parts.length === 1 && parts[0] !== undefined ? Buffer.from(parts[0]) : Buffer.concat(parts, n);
  }

  /** A copy of the first `n` bytes, leaving them in the queue. */
  peek(n: number): Buffer {
    const out = Buffer.alloc(n);
    let at = 0;
    let offset = this.#offset;
    for (let i = this.#first; i < this.#chunks.length && at < n; i++) {
      const chunk = this.#chunks[i] ?? EMPTY;
      at += chunk.copy(out, at, offset, Math.min(chunk.length, offset + n - at));
      offset = 0;
    }
    if (at < n) throw new RangeError('ByteQueue.peek past the end');
    return out;
  }
}

const EMPTY = Buffer.alloc(0);

/** A Buffer view of any Uint8Array, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
