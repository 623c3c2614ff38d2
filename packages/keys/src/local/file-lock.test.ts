import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireFileLock } from './file-lock.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-lock-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('acquireFileLock', () => {
  it('excludes a second holder, and is free again after release', async () => {
    const file = path.join(dir, 'a.json');
    const release = await acquireFileLock(file);
    writeFileSync(`${file}.lock`, String(process.ppid)); // held by a live process that is not us
    await expect(acquireFileLock(file, { attempts: 3, waitMs: 1 })).rejects.toMatchObject({ code: 'keystore-locked' });
    await release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    const again = await acquireFileLock(file, { attempts: 1 });
    await again();
  });

  it('takes over a lock whose process died (kill -9)', async () => {
    const file = path.join(dir, 'b.json');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    writeFileSync(`${file}.lock`, String(pid));
    await expect(acquireFileLock(file, { attempts: 2, waitMs: 1 })).rejects.toMatchObject({ code: 'keystore-locked' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const release = await acquireFileLock(file, { attempts: 5, waitMs: 1 });
    await release();
  });
});
