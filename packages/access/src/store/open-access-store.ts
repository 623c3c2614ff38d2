import type { AccessStore } from './access-store.ts';
import { openPgDriver, openPgliteDriver, type PgDriverOptions } from '@phiguard/audit';
import { openSqlAccessStore } from './sql-access-store.ts';

/** The embedded store (PGlite); `dataDir` undefined keeps it in memory (tests). */
export async function openPgliteAccessStore(dataDir: string | undefined): Promise<AccessStore> {
  return openSqlAccessStore(await openPgliteDriver(dataDir));
}

/** The production store on PostgreSQL. */
export async function openPostgresAccessStore(options: PgDriverOptions): Promise<AccessStore> {
  return openSqlAccessStore(await openPgDriver(options));
}
