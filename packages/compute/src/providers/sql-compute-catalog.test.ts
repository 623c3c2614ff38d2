import type { SqlDriver } from '@phiguard/audit';
import { afterAll } from 'vitest';
import { describeComputeCatalogContract } from './compute-catalog.contract.ts';
import { openComputeDatabase } from './compute-database.ts';
import { SqlComputeCatalog } from './sql-compute-catalog.ts';

// One in-memory PGlite for the file (starting one takes seconds); emptied between tests.
let shared: Promise<SqlDriver> | undefined;
afterAll(async () => {
  if (shared !== undefined) await (await shared).close();
});

describeComputeCatalogContract('PGlite', async (clock, audit) => {
  shared ??= openComputeDatabase({ kind: 'pglite' });
  const db = await shared;
  return { catalog: new SqlComputeCatalog(db, clock, { audit }), close: async () => {
      await db.query('TRUNCATE compute_nodes, compute_providers');
    },
  };
});
