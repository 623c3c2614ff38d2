import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCursorStore } from './file-cursor-store.ts';
import { SiemError } from './siem-error.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phiguard-cursor-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileCursorStore', () => {
  it('starts at 0, keeps one cursor per sink, and persists across instances', async () => {
    const path = join(dir, 'cursors.json');
    const store = new FileCursorStore(path);
    expect(await store.getCursor('a')).toBe(0);
    await Promise.all([store.setCursor('a', 5), store.setCursor('b', 9), store.setCursor('a', 6)]);
    const again = new FileCursorStore(path);
    expect([await again.getCursor('a'), await again.getCursor('b')]).toEqual([6, 9]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 6, b: 9 });
  });

  it('refuses a corrupt file with a typed error naming the file, not its content', async () => {
    const path = join(dir, 'cursors.json');
    await writeFile(path, '{"a": -1}');
    const error = await new FileCursorStore(path).getCursor('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiemError);
    expect((error as SiemError).code).toBe('cursor-io');
    expect((error as SiemError).place?.file).toBe(path);
    await writeFile(path, 'not json');
    await expect(new FileCursorStore(path).getCursor('a')).rejects.toThrow(SiemError);
  });

  it('refuses bad sink ids and cursors', async () => {
    const store = new FileCursorStore(join(dir, 'c.json'));
    await expect(store.getCursor('no spaces')).rejects.toThrow(TypeError);
    expect(() => store.setCursor('a', -1)).toThrow(TypeError);
    expect(() => store.setCursor('a', 1.5)).toThrow(TypeError);
  });

  it('survives kill -9 mid-write: the file is whole and holds at least every acknowledged value', async () => {
    const path = join(dir, 'cursors.json');
    const child = spawn(process.execPath, [fileURLToPath(new URL('./testing/cursor-writer-child.ts', import.meta.url)), path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acknowledged = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acknowledged = Number(lines.at(-1));
        if (acknowledged >= 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => {
        reject(new Error(`child exited early: ${stderr}`));
      });
    });
    await new Promise((resolve) => child.once('close', resolve));
    const store = new FileCursorStore(path);
    const a = await store.getCursor('siem-a');
    const b = await store.getCursor('siem-b');
    expect(a).toBeGreaterThanOrEqual(acknowledged);
    // Written in order: b was set to 2·a or 2·(a-1) (killed between the two writes).
    expect([2 * a, 2 * (a - 1)]).toContain(b);
  });
});
