import { ApiError } from '../http/api-error.ts';
import { ByteReader } from '../http/byte-reader.ts';

/**
 * The answer of `POST /v1/deid/:format` (`application/vnd.phiguard.deid`, version 2): a sequence of
 * frames, each a kind byte, a 4-byte big-endian payload length, then the payload.
 *   - `D` (0x44): the next piece of the de-identified output, sent as the engine produces it;
 *   - `T` (0x54): the trailer, UTF-8 JSON (a {@link DeidFileAnswer}), always the last frame.
 * Counts and problems are only known at the end of a streamed file, hence a trailer; an answer
 * that ends without one was cut off and must be discarded.
 */
export const DEID_FRAME_OUTPUT = 0x44;
export const DEID_FRAME_TRAILER = 0x54;
/** Largest output frame a reader accepts (writers send at most 1 MiB). */
export const MAX_OUTPUT_FRAME = 4 * 2 ** 20;
/** Largest trailer (it lists every failed record's place). */
export const MAX_TRAILER_FRAME = 64 * 2 ** 20;

/** One frame: kind, length, payload. */
export function deidFrame(kind: typeof DEID_FRAME_OUTPUT | typeof DEID_FRAME_TRAILER, payload: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(5);
  head[0] = kind;
  head.writeUInt32BE(payload.byteLength, 1);
  return Buffer.concat([head, payload]);
}

export type DeidFrame = { readonly kind: 'output'; readonly bytes: Buffer } | { readonly kind: 'trailer'; readonly json: unknown };

/**
 * Reads the frames of a de-identification answer as they arrive (memory: one frame). Ends after
 * the trailer; fails (naming the field) on an unknown kind, an oversized frame, a body cut short,
 * or bytes after the trailer.
 */
export async function* readDeidFrames(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<DeidFrame> {
  const reader = new ByteReader(source);
  for (;;) {
    if (await reader.atEnd()) throw new ApiError('invalid-body', 'the answer ended before its trailer', { place: { field: 'trailer' } });
    const head = Buffer.concat(await collect(reader.take(5, 'frame')));
    const kind = head[0];
    const size = head.readUInt32BE(1);
    if (kind === DEID_FRAME_OUTPUT) {
      if (size > MAX_OUTPUT_FRAME) throw new ApiError('invalid-body', 'output frame too large', { place: { field: 'frame' } });
      yield { kind: 'output', bytes: Buffer.concat(await collect(reader.take(size, 'frame'))) };
    } else if (kind === DEID_FRAME_TRAILER) {
      if (size > MAX_TRAILER_FRAME) throw new ApiError('invalid-body', 'trailer too large', { place: { field: 'trailer' } });
      const text = Buffer.concat(await collect(reader.take(size, 'trailer'))).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new ApiError('invalid-body', 'the trailer is not JSON', { cause, place: { field: 'trailer' } });
      }
      if (!(await reader.atEnd())) throw new ApiError('invalid-body', 'bytes after the trailer', { place: { field: 'trailer' } });
      yield { kind: 'trailer', json };
      return;
    } else {
      throw new ApiError('invalid-body', 'unknown frame kind', { place: { field: 'frame' } });
    }
  }
}

async function collect(parts: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(p);
  return out;
}
