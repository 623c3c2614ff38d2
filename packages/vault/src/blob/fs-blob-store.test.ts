import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { FsBlobStore } from './fs-blob-store.ts';

function objectFile(root: string, hash: string): string {
  const hex = hash.slice(7);
  return path.join(root, 'objects', hex.slice(0, 2), hex);
}

describeBlobStoreContract('filesystem', {
  locks: true,
  async open(clock) {
    const root = await mkdtemp(path.join(tmpdir(), 'blobs-'));
    const store = await FsBlobStore.open(root, clock);
    return {
      store,
      tamper: async (hash, bytes) => {
        const file = objectFile(root, hash);
        await chmod(file, 0o600);
        await writeFile(file, bytes);
      },
      close: () => rm(root, { recursive: true, force: true }),
    };
  },
});

describe('FsBlobStore', () => {
  it('leaves no temp file after puts, stores objects read-only, and cleanTemp removes leftovers', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'blobs-'));
    try {
      const store = await FsBlobStore.open(root, new ManualClock(0));
      const put = await store.put([Buffer.from('a'), Buffer.from('b')]);
      expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
      const { stat } = await import('node:fs/promises');
      expect((await stat(objectFile(root, put.hash))).mode & 0o777).toBe(0o400);
      await writeFile(path.join(root, 'tmp', '.blob.1-abc.tmp'), 'partial');
      expect(await store.cleanTemp()).toBe(1);
      expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a failing source leaves no blob and no temp file', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'blobs-'));
    try {
      const store = await FsBlobStore.open(root, new ManualClock(0));
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('half');
        await Promise.resolve();
        throw new Error('source broke');
      }
      await expect(store.put(failing())).rejects.toThrow('source broke');
      expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
      expect(await readdir(path.join(root, 'objects'))).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
