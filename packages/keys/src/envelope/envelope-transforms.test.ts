import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryKeyProvider } from '../local/memory-key-provider.ts';
import { sealTransform, unsealTransform } from './envelope-transforms.ts';

const { provider } = createMemoryKeyProvider(['k']);

function sink(): { stream: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    }),
    bytes: () => Buffer.concat(parts),
  };
}

describe('sealTransform / unsealTransform in stream.pipeline', () => {
  it('round-trips through Node streams and fails the pipeline on damage', async () => {
    const data = randomBytes(200_000);
    const sealed = sink();
    await pipeline(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), sealTransform({ wrapWith: [{ provider, keyId: 'k' }], frameSize: 4096 }), sealed.stream);
    const opened = sink();
    await pipeline(Readable.from([sealed.bytes()]), unsealTransform({ providers: [provider] }), opened.stream);
    expect(opened.bytes().equals(data)).toBe(true);

    const damaged = Buffer.from(sealed.bytes());
    damaged[damaged.length - 5] = (damaged[damaged.length - 5] ?? 0) ^ 0x10;
    const partial = sink();
    await expect(pipeline(Readable.from([damaged]), unsealTransform({ providers: [provider] }), partial.stream)).rejects.toMatchObject({ code: 'frame-auth-failed' });
    expect(partial.bytes().length).toBeLessThan(data.length);
  });
});
