import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeysError } from '../keys-error.ts';

/**
 * An advisory lock beside `file` (`file.lock`, created with O_EXCL, holding the owner's pid), so
 * two processes (two custodians approving at once, cron rotating while someone rewraps) take turns
 * at read-modify-write. A lock whose process is gone (`kill -9`) is taken over.
 */
export async function acquireFileLock(file: string, options: { readonly attempts?: number; readonly waitMs?: number } = {}): Promise<() => Promise<void>> {
  const lock = `${file}.lock`;
  const attempts = options.attempts ?? 400;
  for (let i = 0; i < attempts; i++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && !alive(owner)) {
      await rm(lock, { force: true });
      continue;
    }
    await sleep(options.waitMs ?? 25);
  }
  throw new KeysError('keystore-locked', 'keystore is busy (another process holds its lock)', { place: { file: lock }, hint: 'retry; remove the .lock file only if no phiguard process is running' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
