import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlQuery } from './sql-driver.ts';

/**
 * A {@link SqlDriver} over embedded PGlite. PGlite has one connection, so every statement and
 * transaction runs one after another (PGlite's own mutex serializes them).
 * @param dataDir a data folder, or undefined for an in-memory database (tests).
 */
export async function openPgliteDriver(dataDir: string | undefined): Promise<SqlDriver> {
  const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const query: SqlQuery = async <R>(sql: string, params: readonly unknown[] = []) =>
    (await db.query<R>(sql, [...params])).rows;
  return {
    kind: 'pglite',
    query,
    transaction: (work) =>
      db.transaction(async (tx) => work(async <R>(sql: string, params: readonly unknown[] = []) => (await tx.query<R>(sql, [...params])).rows)),
    close: () => db.close(),
  };
}
