import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystemOf, Workspace } from './workspace.ts';

const shm = mkdtempSync('/dev/shm/phiguard-ws-test-');
// The repository's folder is on a disk-backed file system (overlay/ext4), never tmpfs.
const disk = mkdtempSync(path.join(import.meta.dirname, '.ws-test-'));
afterAll(() => {
  rmSync(shm, { recursive: true, force: true });
  rmSync(disk, { recursive: true, force: true });
});

describe('Workspace', () => {
  it('is made on tmpfs, holds in/out/tmp, and wipe() leaves nothing', async () => {
    expect(await fileSystemOf(shm)).toBe('tmpfs');
    const ws = await Workspace.create(shm, 'job_01j0000000000000000000000a', { allowDisk: false });
    expect(ws.memoryBacked).toBe(true);
    writeFileSync(path.join(ws.input, 'note.txt'), 'Jonathan Quimby');
    writeFileSync(path.join(ws.output, 'out.json'), '{}');
    expect(await ws.wipe()).toBe(2);
    expect(existsSync(ws.dir)).toBe(false);
    expect(await ws.wipe()).toBe(0);
    expect(readdirSync(shm)).toEqual([]);
  });

  it('refuses a disk-backed root unless the development flag allows it', async () => {
    expect(await fileSystemOf(disk)).not.toBe('tmpfs');
    await expect(Workspace.create(disk, 'job_01j0000000000000000000000a', { allowDisk: false })).rejects.toMatchObject({ code: 'workspace-not-memory' });
    const ws = await Workspace.create(disk, 'job_01j0000000000000000000000a', { allowDisk: true });
    expect(ws.memoryBacked).toBe(false);
    await ws.wipe();
  });
});
