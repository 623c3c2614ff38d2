import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryKeyProvider } from '../local/memory-key-provider.ts';
import { parseHeader } from './envelope-header.ts';
import { rewrapEnvelopeHeader } from './rewrap-header.ts';
import { sealBuffer } from './seal-stream.ts';
import { bufferSource, fileSource, readFrameLayout, unsealFrames } from './unseal-frames.ts';
import { unsealBuffer } from './unseal-stream.ts';

const { provider, rotate } = createMemoryKeyProvider(['k']);
const wrapWith = [{ provider, keyId: 'k' }];
const options = { providers: [provider] };
const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-frames-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

async function collect(parts: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(p);
  return Buffer.concat(out);
}

describe('unsealFrames (random access, envelope.md §6)', () => {
  it('returns exactly the plaintext of any frame range', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 16, max: 300 }), fc.nat(), fc.nat(), async (size, frameSize, a, b) => {
        const data = randomBytes(size);
        const envelope = await sealBuffer(data, { wrapWith, frameSize });
        const layout = await readFrameLayout(bufferSource(envelope));
        expect(layout.frameCount).toBe(Math.max(1, Math.ceil(size / frameSize)));
        expect(layout.plaintextLength).toBe(size);
        const first = a % layout.frameCount;
        const count = b % (layout.frameCount - first + 1);
        const got = await collect(unsealFrames(bufferSource(envelope), { first, count }, options));
        expect(got.equals(data.subarray(first * frameSize, (first + count) * frameSize))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a file by seeking, and refuses a damaged frame or a range outside', async () => {
    const data = randomBytes(10_000);
    const envelope = await sealBuffer(data, { wrapWith, frameSize: 1000 });
    const file = path.join(dir, 'x.pge');
    writeFileSync(file, envelope);
    const handle = await open(file, 'r');
    try {
      const got = await collect(unsealFrames(fileSource(handle), { first: 7, count: 3 }, options));
      expect(got.equals(data.subarray(7000))).toBe(true);
      await expect(collect(unsealFrames(fileSource(handle), { first: 9, count: 2 }, options))).rejects.toMatchObject({ code: 'frame-range' });
    } finally {
      await handle.close();
    }
    const layout = await readFrameLayout(bufferSource(envelope));
    const damaged = Buffer.from(envelope);
    const at = layout.header.length + 4 * 1016 + 3;
    damaged[at] = (damaged[at] ?? 0) ^ 1;
    expect((await collect(unsealFrames(bufferSource(damaged), { first: 3, count: 1 }, options))).length).toBe(1000);
    await expect(collect(unsealFrames(bufferSource(damaged), { first: 4, count: 1 }, options))).rejects.toMatchObject({ code: 'frame-auth-failed' });
    // Cut at a frame boundary: the new last frame was not sealed as final.
    const cut = envelope.subarray(0, layout.header.length + 5 * 1016);
    await expect(collect(unsealFrames(bufferSource(cut), { first: 4, count: 1 }, options))).rejects.toMatchObject({ code: 'frame-auth-failed' });
  });
});

describe('rewrapEnvelopeHeader', () => {
  it('moves the wrapped DEK to the newest version without touching the frames', async () => {
    const data = randomBytes(3000);
    const envelope = await sealBuffer(data, { wrapWith, frameSize: 512 });
    const { header } = await readFrameLayout(bufferSource(envelope));
    const version = rotate('k');
    const newHeader = await rewrapEnvelopeHeader(envelope.subarray(0, header.length), [provider]);
    expect(parseHeader(newHeader).wrappedKeys[0]?.version).toBe(version);
    const rewrapped = Buffer.concat([newHeader, envelope.subarray(header.length)]);
    expect((await unsealBuffer(rewrapped, options)).equals(data)).toBe(true);
  });

  it('a wrapped DEK moved into another envelope fails the key commitment', async () => {
    const a = await sealBuffer(Buffer.from('a'), { wrapWith });
    const b = await sealBuffer(Buffer.from('b'), { wrapWith });
    const ha = (await readFrameLayout(bufferSource(a))).header;
    const hb = (await readFrameLayout(bufferSource(b))).header;
    const forged = Buffer.concat([ha.body, ha.tag, b.subarray(hb.body.length + 16, hb.length), a.subarray(ha.length)]);
    await expect(unsealBuffer(forged, options)).rejects.toMatchObject({ code: 'commitment-mismatch' });
  });
});
