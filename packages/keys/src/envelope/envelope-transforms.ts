import { Duplex } from 'node:stream';
import { sealStream, type SealOptions } from './seal-stream.ts';
import { unsealStream, type UnsealStreamOptions } from './unseal-stream.ts';

/**
 * {@link sealStream} as a Node Duplex for `stream.pipeline(source, sealTransform(o), sink)`.
 * Backpressure is the generator's: it pulls input only as its output is read.
 */
export function sealTransform(options: SealOptions): Duplex {
  return Duplex.from((source: AsyncIterable<Buffer>) => sealStream(source, options));
}

/** {@link unsealStream} as a Node Duplex; it errors with a `KeysError` on the first bad frame. */
export function unsealTransform(options: UnsealStreamOptions): Duplex {
  return Duplex.from((source: AsyncIterable<Buffer>) => unsealStream(source, options));
}
