import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.ts';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the content, leaves no temp file, and uses mode 0600 by default', async () => {
    const file = path.join(dir, 'a.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['a.json']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('creates the folder when asked and honours the mode', async () => {
    const file = path.join(dir, 'x', 'y', 'tile');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]), { mkdir: true, mode: 0o644, durable: false });
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('fails without a folder and leaves nothing behind', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'f'), 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });
});
