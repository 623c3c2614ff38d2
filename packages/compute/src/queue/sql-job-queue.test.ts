import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlDriver } from '@phiguard/audit';
import { afterAll } from 'vitest';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { describeJobQueueContract } from './job-queue.contract.ts';

// One in-memory PGlite for the file (starting one takes seconds); emptied between tests.
let shared: Promise<SqlDriver> | undefined;
afterAll(async () => {
  if (shared !== undefined) await (await shared).close();
});

describeJobQueueContract('PGlite', {
  async open() {
    shared ??= openComputeDatabase({ kind: 'pglite' });
    const db = await shared;
    return {
      db,
      close: async () => {
        await db.query('TRUNCATE compute_jobs');
      },
    };
  },
  async crash() {
    const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-queue-'));
    const dataDir = path.join(dir, 'db');
    const first = await openComputeDatabase({ kind: 'pglite', dataDir });
    let current: SqlDriver | undefined = first;
    return {
      db: first,
      closeBeforeChild: async () => {
        // PGlite is single-process: the child opens the folder alone.
        await first.close();
        current = undefined;
      },
      childArgs: ['pglite', dataDir, '1000'],
      reopen: async () => (current = await openComputeDatabase({ kind: 'pglite', dataDir })),
      close: async () => {
        await current?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
