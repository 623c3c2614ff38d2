import type { DatabaseConfig } from '@phiguard/core';
import type { LedgerStore } from './ledger-store.ts';
import { openPgDriver, type PgDriverOptions } from './pg-driver.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import { openSqlLedgerStore } from './sql-ledger-store.ts';

/** The embedded store: a PGlite data folder (created if missing), or in memory when `dataDir` is undefined. */
export async function openPgliteLedgerStore(dataDir: string | undefined): Promise<LedgerStore> {
  return openSqlLedgerStore(await openPgliteDriver(dataDir));
}

/** The production store on PostgreSQL ≥ 15. */
export async function openPostgresLedgerStore(options: PgDriverOptions): Promise<LedgerStore> {
  return openSqlLedgerStore(await openPgDriver(options));
}

/** The store the configuration names (`database` of `PhiguardConfig`). */
export function openConfiguredLedgerStore(database: DatabaseConfig): Promise<LedgerStore> {
  return database.kind === 'pglite' ? openPgliteLedgerStore(database.dataDir) : openPostgresLedgerStore({ url: database.url });
}
