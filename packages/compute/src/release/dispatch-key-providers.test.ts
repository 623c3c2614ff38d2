import { createMemoryKeyProvider, parseHeader, headerBytesNeeded, sealBuffer, unsealBuffer } from '@phiguard/keys';
import { describe, expect, it } from 'vitest';
import { ReleasedKeyProvider, wrappedKeyId } from './released-key-provider.ts';
import { UploadKeyProvider } from './upload-key-provider.ts';

function header(envelope: Buffer): ReturnType<typeof parseHeader> {
  let n = 7;
  for (;;) {
    const more = headerBytesNeeded(envelope.subarray(0, n));
    if (more === n) return parseHeader(envelope.subarray(0, n));
    n = more;
  }
}

describe('released keys (node side)', () => {
  it('open exactly the blobs whose data keys were released, and nothing after destroy', async () => {
    const { provider } = createMemoryKeyProvider(['k'], 0);
    const a = await sealBuffer(Buffer.from('first'), { wrapWith: [{ provider, keyId: 'k' }] });
    const b = await sealBuffer(Buffer.from('second'), { wrapWith: [{ provider, keyId: 'k' }] });
    const wrappedA = header(a).wrappedKeys[0];
    if (wrappedA === undefined) throw new Error('no wrapped key');
    const released = new ReleasedKeyProvider(provider.id, [{ id: wrappedKeyId(wrappedA), key: new Uint8Array(await provider.unwrapDataKey(wrappedA)) }]);
    expect((await unsealBuffer(a, { providers: [released] })).toString()).toBe('first');
    await expect(unsealBuffer(b, { providers: [released] })).rejects.toMatchObject({ code: 'no-usable-key' });
    released.destroy();
    await expect(unsealBuffer(a, { providers: [released] })).rejects.toMatchObject({ code: 'no-usable-key' });
  });
});

describe('upload keys (outputs sealed on the node with new data keys)', () => {
  it('the control plane opens what the node sealed for this job, and only for this job', async () => {
    const { provider: controlPlane, publicKey } = await UploadKeyProvider.forControlPlane();
    const node = UploadKeyProvider.forNode(publicKey);
    const jobId = 'job_01j0000000000000000000000a';
    const envelope = await sealBuffer(Buffer.from('result'), { wrapWith: [{ provider: node, keyId: jobId }], context: { job: jobId, part: 'output' } });
    expect((await unsealBuffer(envelope, { providers: [controlPlane], expectContext: { job: jobId, part: 'output' } })).toString()).toBe('result');
    await expect(unsealBuffer(envelope, { providers: [controlPlane], expectContext: { job: 'job_01j0000000000000000000000b' } })).rejects.toMatchObject({ code: 'context-mismatch' });
    const other = await UploadKeyProvider.forControlPlane();
    await expect(unsealBuffer(envelope, { providers: [other.provider] })).rejects.toMatchObject({ code: 'no-usable-key' });
    await expect(node.unwrapDataKey(header(envelope).wrappedKeys[0] as never)).rejects.toThrow(TypeError);
  });
});
