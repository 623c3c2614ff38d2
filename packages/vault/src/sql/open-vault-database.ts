import { openPgDriver, openPgliteDriver, type SqlDriver } from '@phiguard/audit';
import { VAULT_LOCK_KEY, VAULT_MIGRATIONS, VAULT_MIGRATIONS_TABLE } from './vault-migrations.ts';

/** Where the vault's metadata lives: a PGlite folder (or memory, for tests) or PostgreSQL (optionally in a schema). */
export type VaultDatabaseOptions = { readonly kind: 'pglite'; readonly dataDir?: string } | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** Opens the database and applies pending migrations (serialized by an advisory lock). */
export async function openVaultDatabase(options: VaultDatabaseOptions): Promise<SqlDriver> {
  const driver =
    options.kind === 'pglite'
      ? await openPgliteDriver(options.dataDir)
      : await openPgDriver({ url: options.url, ...(options.schema === undefined ? {} : { schema: options.schema }) });
  try {
    await driver.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [VAULT_LOCK_KEY]);
      await q(VAULT_MIGRATIONS_TABLE);
      const applied = new Set((await q<{ version: number | string }>('SELECT version FROM vault_schema_migrations')).map((r) => Number(r.version)));
      for (const [i, statements] of VAULT_MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        for (const statement of statements) await q(statement);
        await q('INSERT INTO vault_schema_migrations (version) VALUES ($1)', [i + 1]);
      }
    });
  } catch (error) {
    await driver.close();
    throw error;
  }
  return driver;
}
