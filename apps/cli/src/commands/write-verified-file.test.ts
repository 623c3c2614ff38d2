import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeVerifiedFile } from './write-verified-file.ts';

async function* chunksOf(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield await Promise.resolve(Buffer.from(p));
}

describe('writeVerifiedFile', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'pg-wvf-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes the chunks under the final name, creating folders, and reports progress', async () => {
    const seen: number[] = [];
    const target = path.join(dir, 'a', 'b', 'file.txt');
    const bytes = await writeVerifiedFile({ target, chunks: chunksOf('abc', 'de'), onBytes: (n) => { seen.push(n); } });
    expect(bytes).toBe(5);
    expect(seen).toEqual([3, 5]);
    expect(await readFile(target, 'utf8')).toBe('abcde');
    expect(await readdir(path.dirname(target))).toEqual(['file.txt']);
  });

  it('leaves neither the file nor its .partial when the verifier rejects it', async () => {
    const target = path.join(dir, 'file.txt');
    let total = 0;
    await expect(writeVerifiedFile({
      target,
      chunks: chunksOf('abc'),
      verifier: { update: (c) => { total += c.length; }, check: () => { throw new Error('digest mismatch'); } },
    })).rejects.toThrow('digest mismatch');
    expect(total).toBe(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves nothing when the source fails midway', async () => {
    const target = path.join(dir, 'file.txt');
    async function* broken(): AsyncIterable<Uint8Array> { yield await Promise.resolve(Buffer.from('abc')); throw new Error('connection reset'); }
    await expect(writeVerifiedFile({ target, chunks: broken() })).rejects.toThrow('connection reset');
    expect(await readdir(dir)).toEqual([]);
  });
});
