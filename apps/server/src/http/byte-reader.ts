import { ApiError } from './api-error.ts';

/**
 * Reads a byte stream (an HTTP request or response body) piece by piece without buffering it:
 * a bounded first line, then exactly N bytes at a time, handing back what it read too far.
 * Memory stays at one chunk plus the line limit, whatever the body's size.
 */
export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  #pending: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>) {
    this.#source = (async function* () {
      for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    })();
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done === true) {
      this.#ended = true;
      return false;
    }
    this.#pending = this.#pending.length === 0 ? next.value : Buffer.concat([this.#pending, next.value]);
    return true;
  }

  /** The next line (without `\n`), at most `maxBytes` long; `field` names it in errors. */
  async readLine(maxBytes: number, field: string): Promise<string> {
    for (;;) {
      const at = this.#pending.indexOf(0x0a);
      if (at >= 0) {
        const line = this.#pending.subarray(0, at).toString('utf8');
        this.#pending = this.#pending.subarray(at + 1);
        return line;
      }
      if (this.#pending.length > maxBytes) throw new ApiError('invalid-body', 'header line too long', { place: { field } });
      if (!(await this.#fill())) throw new ApiError('invalid-body', 'body ended before its header line', { place: { field } });
    }
  }

  /** Exactly `size` bytes as chunks; fails (naming `field`) if the stream ends first. */
  async *take(size: number, field: string): AsyncGenerator<Buffer> {
    let left = size;
    while (left > 0) {
      if (this.#pending.length === 0 && !(await this.#fill())) throw new ApiError('invalid-body', 'body ended before the announced size', { place: { field } });
      const part = this.#pending.subarray(0, Math.min(left, this.#pending.length));
      this.#pending = this.#pending.subarray(part.length);
      left -= part.length;
      yield part;
    }
  }

  /** True when nothing is left. */
  async atEnd(): Promise<boolean> {
    while (this.#pending.length === 0) if (!(await this.#fill())) return true;
    return false;
  }
}
