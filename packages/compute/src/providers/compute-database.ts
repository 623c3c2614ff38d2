import { openPgDriver, openPgliteDriver, type SqlDriver } from '@phiguard/audit';
import { COMPUTE_LOCK_KEY, COMPUTE_MIGRATIONS, COMPUTE_MIGRATIONS_TABLE } from './compute-migrations.ts';

/** Where the compute control plane's tables live: a PGlite folder (or memory, for tests) or PostgreSQL. */
export type ComputeDatabaseOptions =
  | { readonly kind: 'pglite'; readonly dataDir?: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string; readonly maxConnections?: number };

/** Opens the database and applies pending migrations (serialized by an advisory lock). */
export async function openComputeDatabase(options: ComputeDatabaseOptions): Promise<SqlDriver> {
  const driver =
    options.kind === 'pglite'
      ? await openPgliteDriver(options.dataDir)
      : await openPgDriver({
          url: options.url,
          ...(options.schema === undefined ? {} : { schema: options.schema }),
          ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
        });
  try {
    await driver.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [COMPUTE_LOCK_KEY]);
      await q(COMPUTE_MIGRATIONS_TABLE);
      const applied = new Set((await q<{ version: number | string }>('SELECT version FROM compute_schema_migrations')).map((r) => Number(r.version)));
      for (const [i, statements] of COMPUTE_MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        for (const statement of statements) await q(statement);
        await q('INSERT INTO compute_schema_migrations (version) VALUES ($1)', [i + 1]);
      }
    });
  } catch (error) {
    await driver.close();
    throw error;
  }
  return driver;
}
