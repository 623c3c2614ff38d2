import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBaseError } from '@phiguard/core';
import { DEID_FRAME_OUTPUT, DEID_FRAME_TRAILER, deidFrame, readDeidFrames, type DeidFrame } from './deid-frames.ts';

async function read(bytes: Buffer, cuts: readonly number[]): Promise<DeidFrame[]> {
  // The answer arrives in arbitrary pieces (TLS records, TCP segments).
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    pieces.push(bytes.subarray(at, p));
    at = p;
  }
  const frames: DeidFrame[] = [];
  for await (const f of readDeidFrames(Readable.from(pieces.filter((p) => p.length > 0)))) frames.push(f);
  return frames;
}

async function failure(bytes: Buffer): Promise<string> {
  try {
    await read(bytes, []);
  } catch (e) {
    if (isBaseError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('application/vnd.phiguard.deid frames', () => {
  it('reads back any output pieces and trailer, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.jsonValue(), fc.array(fc.nat(), { maxLength: 12 }), async (outputs, trailer, cuts) => {
        const bytes = Buffer.concat([...outputs.map((o) => deidFrame(DEID_FRAME_OUTPUT, o)), deidFrame(DEID_FRAME_TRAILER, Buffer.from(JSON.stringify(trailer)))]);
        const frames = await read(bytes, cuts);
        expect(frames.slice(0, -1).map((f) => (f.kind === 'output' ? Buffer.from(f.bytes) : undefined))).toEqual(outputs.map((o) => Buffer.from(o)));
        expect(frames.at(-1)).toEqual({ kind: 'trailer', json: JSON.parse(JSON.stringify(trailer)) as unknown });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an answer cut before its trailer, an unknown kind, bytes after the trailer, a non-JSON trailer', async () => {
    const out = deidFrame(DEID_FRAME_OUTPUT, Buffer.from('MSH|'));
    const trailer = deidFrame(DEID_FRAME_TRAILER, Buffer.from('{"ok":true}'));
    expect(await failure(out)).toBe('invalid-body: the answer ended before its trailer');
    expect(await failure(Buffer.concat([out, trailer.subarray(0, 8)]))).toBe('invalid-body: body ended before the announced size');
    expect(await failure(Buffer.concat([Buffer.from([0x58, 0, 0, 0, 0]), trailer]))).toBe('invalid-body: unknown frame kind');
    expect(await failure(Buffer.concat([trailer, out]))).toBe('invalid-body: bytes after the trailer');
    expect(await failure(deidFrame(DEID_FRAME_TRAILER, Buffer.from('{ok')))).toBe('invalid-body: the trailer is not JSON');
    const huge = Buffer.from([DEID_FRAME_OUTPUT, 0xff, 0xff, 0xff, 0xff]);
    expect(await failure(huge)).toBe('invalid-body: output frame too large');
  });
});
