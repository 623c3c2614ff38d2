import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeysError } from '../keys-error.ts';
import { createMemoryKeyProvider } from '../local/memory-key-provider.ts';
import { sealBuffer, sealStream } from './seal-stream.ts';
import { unsealBuffer, unsealStream } from './unseal-stream.ts';
import { parseHeader, headerBytesNeeded, TAG_BYTES } from './envelope-header.ts';

const { provider, rotate } = createMemoryKeyProvider(['k1', 'k2']);
const other = createMemoryKeyProvider(['k1']).provider;
const wrapWith = [{ provider, keyId: 'k1' }];
const unseal = { providers: [provider] };

/** What an unseal yields before it fails, and the error. */
async function attempt(envelope: Uint8Array, chunk = 7): Promise<{ out: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < envelope.length; i += chunk) pieces.push(Buffer.from(envelope.subarray(i, i + chunk)));
  try {
    for await (const p of unsealStream(pieces, unseal)) parts.push(p);
    return { out: Buffer.concat(parts), error: undefined };
  } catch (error) {
    return { out: Buffer.concat(parts), error };
  }
}

async function collect(parts: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(p);
  return Buffer.concat(out);
}

function headerLength(envelope: Buffer): number {
  let n = 7;
  for (;;) {
    const more = headerBytesNeeded(envelope.subarray(0, n));
    if (more === n) return n;
    n = more;
  }
}

describe('sealStream / unsealStream (docs/formats/envelope.md)', () => {
  it('round-trips any size with any frame size, from any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 16, max: 700 }), fc.integer({ min: 1, max: 900 }), async (data, frameSize, chunk) => {
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < data.length; i += chunk) pieces.push(data.subarray(i, i + chunk));
        const sealed: Buffer[] = [];
        for await (const p of sealStream(pieces, { wrapWith, frameSize, context: { dataset: 'ds-1' } })) sealed.push(p);
        const envelope = Buffer.concat(sealed);
        const frames = Math.max(1, Math.ceil(data.length / frameSize));
        expect(envelope.length).toBe(headerLength(envelope) + data.length + frames * TAG_BYTES);
        expect((await collect(unsealStream([envelope], unseal))).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('carries the context and several wrapped keys; any of them opens it', async () => {
    const envelope = await sealBuffer(Buffer.from('x'), { wrapWith: [{ provider, keyId: 'k1' }, { provider, keyId: 'k2' }], context: { purpose: 'hresch', dataset: 'ds_01jd6q7k3m2n4p5r6s7t8v9w0x' } });
    const header = parseHeader(envelope.subarray(0, headerLength(envelope)));
    expect(header.context).toEqual({ dataset: 'ds_01jd6q7k3m2n4p5r6s7t8v9w0x', purpose: 'hresch' });
    expect(header.wrappedKeys.map((w) => w.keyId)).toEqual(['k1', 'k2']);
    expect((await unsealBuffer(envelope, unseal)).toString()).toBe('x');
    await expect(unsealBuffer(envelope, { providers: [provider], expectContext: { purpose: 'treat' } })).rejects.toMatchObject({ code: 'context-mismatch' });
  });

  it('refuses free text in the encryption context', async () => {
    for (const value of ['John Smith', '1970-01-02', '555-12-3456', 'x'.repeat(200)]) {
      const error = await sealBuffer(Buffer.from('x'), { wrapWith, context: { patient: value } }).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'context-invalid' });
      // The error names the field, never the value (ARCHITECTURE §5).
      expect(error instanceof KeysError && !error.describe().includes(value) && !JSON.stringify(error.place).includes(value)).toBe(true);
    }
  });

  it('keeps working after a rotation: old envelopes open, new ones use the new version', async () => {
    const before = await sealBuffer(Buffer.from('old'), { wrapWith: [{ provider, keyId: 'k2' }] });
    const version = rotate('k2');
    const after = await sealBuffer(Buffer.from('new'), { wrapWith: [{ provider, keyId: 'k2' }] });
    expect(parseHeader(after.subarray(0, headerLength(after))).wrappedKeys[0]?.version).toBe(version);
    expect((await unsealBuffer(before, unseal)).toString()).toBe('old');
    expect((await unsealBuffer(after, unseal)).toString()).toBe('new');
  });

  it('any bit flip is refused with a typed error and no plaintext from the damaged frame on', async () => {
    const data = randomBytes(600);
    const frameSize = 64;
    const envelope = await sealBuffer(data, { wrapWith, frameSize });
    const hl = headerLength(envelope);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: envelope.length * 8 - 1 }), async (bit) => {
        const damaged = Buffer.from(envelope);
        damaged[bit >> 3] = (damaged[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const { out, error } = await attempt(damaged);
        expect(error).toBeInstanceOf(KeysError);
        // Buffer API: nothing at all. Stream API: only frames strictly before the damaged one.
        await expect(unsealBuffer(damaged, unseal)).rejects.toBeInstanceOf(KeysError);
        const at = bit >> 3;
        const frame = at < hl ? 0 : Math.floor((at - hl) / (frameSize + TAG_BYTES));
        expect(out.length).toBeLessThanOrEqual(frame * frameSize);
        expect(out.equals(data.subarray(0, out.length))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every single bit flip of a small envelope is refused (exhaustive)', async () => {
    const envelope = await sealBuffer(randomBytes(100), { wrapWith, frameSize: 64, context: { dataset: 'ds-1' } });
    for (let bit = 0; bit < envelope.length * 8; bit++) {
      const damaged = Buffer.from(envelope);
      damaged[bit >> 3] = (damaged[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      const error = await unsealBuffer(damaged, unseal).then(() => undefined, (e: unknown) => e);
      if (!(error instanceof KeysError)) throw new Error(`bit ${bit} was not detected`);
    }
  });

  it('truncation anywhere and extension are refused with a typed error', async () => {
    const data = randomBytes(500);
    const envelope = await sealBuffer(data, { wrapWith, frameSize: 100 });
    const hl = headerLength(envelope);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: envelope.length - 1 }), async (cut) => {
        const { out, error } = await attempt(envelope.subarray(0, cut));
        expect(error).toBeInstanceOf(KeysError);
        expect(out.length).toBeLessThan(data.length);
      }),
      { numRuns: 200 },
    );
    // At a frame boundary the last frame was sealed as non-final: named as truncation.
    const boundary = hl + 3 * (100 + TAG_BYTES);
    expect((await attempt(envelope.subarray(0, boundary))).error).toMatchObject({ code: 'truncated' });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (extra) => {
        const { error } = await attempt(Buffer.concat([envelope, extra]));
        expect(error).toBeInstanceOf(KeysError);
      }),
      { numRuns: 100 },
    );
    const exact = await sealBuffer(randomBytes(200), { wrapWith, frameSize: 100 });
    expect((await attempt(Buffer.concat([exact, randomBytes(40)]))).error).toMatchObject({ code: 'trailing-data' });
  });

  it('frames swapped between two files under the same key, or reordered, are refused', async () => {
    const frameSize = 50;
    const a = await sealBuffer(randomBytes(400), { wrapWith, frameSize });
    const b = await sealBuffer(randomBytes(400), { wrapWith, frameSize });
    const hl = headerLength(a);
    const full = frameSize + TAG_BYTES;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), async (i, j) => {
        const swapped = Buffer.from(a);
        b.copy(swapped, hl + i * full, hl + j * full, hl + (j + 1) * full);
        const { out, error } = await attempt(swapped);
        expect(error).toMatchObject({ code: 'frame-auth-failed' });
        expect(out.length).toBeLessThanOrEqual(i * frameSize);
        if (i !== j) {
          const reordered = Buffer.from(a);
          a.copy(reordered, hl + i * full, hl + j * full, hl + (j + 1) * full);
          expect((await attempt(reordered)).error).toBeInstanceOf(KeysError);
        }
      }),
      { numRuns: 64 },
    );
    // Header of one file with the frames of another: the key commitment or tag does not match.
    const mixed = Buffer.concat([b.subarray(0, hl), a.subarray(hl)]);
    expect((await attempt(mixed)).error).toMatchObject({ code: 'frame-auth-failed' });
  });

  it('names the failure: magic, version, no usable key, empty input', async () => {
    const envelope = await sealBuffer(Buffer.from('hello'), { wrapWith });
    expect((await attempt(Buffer.from('%PDF-1.7 not an envelope'))).error).toMatchObject({ code: 'bad-magic' });
    const v2 = Buffer.from(envelope);
    v2[4] = 2;
    expect((await attempt(v2)).error).toMatchObject({ code: 'unsupported-version' });
    expect((await attempt(Buffer.alloc(0))).error).toMatchObject({ code: 'truncated' });
    await expect(unsealBuffer(envelope, { providers: [other] })).rejects.toMatchObject({ code: 'no-usable-key' });
    await expect(unsealBuffer(envelope, { providers: [] })).rejects.toMatchObject({ code: 'no-usable-key' });
  });

  it('respects backpressure: reads its source only as the consumer pulls', async () => {
    let produced = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) {
        await Promise.resolve();
        produced += 1;
        yield Buffer.alloc(1024, i & 255);
      }
    }
    const sealing = sealStream(source(), { wrapWith, frameSize: 4096 });
    for (let i = 0; i < 10; i++) await sealing.next();
    expect(produced).toBeLessThan(20);
    await sealing.return(undefined);
    const readable = Readable.from(sealStream(source(), { wrapWith, frameSize: 4096 }));
    const plain = Readable.from(unsealStream(readable, unseal));
    let total = 0;
    for await (const chunk of plain) total += (chunk as Buffer).length;
    expect(total).toBe(1000 * 1024);
  });
});
