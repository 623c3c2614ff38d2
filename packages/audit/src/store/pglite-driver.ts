import { PGlite, types } from '@electric-sql/pglite';
import type { SqlDriver, SqlQuery } from './sql-driver.ts';

/**
 * bytea parameters as PostgreSQL's hex input (`\x…`, PostgreSQL 15 §8.4.1), encoded natively by
 * Buffer. PGlite's default serializer builds one string per byte, which cost the ledger ~60 µs
 * of CPU per 380-byte leaf; the bytes that arrive are the same.
 */
function byteaHex(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('a bytea parameter must be a Uint8Array');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

/**
 * A {@link SqlDriver} over embedded PGlite. PGlite has one connection, so every statement and
 * transaction runs one after another (PGlite's own mutex serializes them).
 * @param dataDir a data folder, or undefined for an in-memory database (tests).
 */
export async function openPgliteDriver(dataDir: string | undefined): Promise<SqlDriver> {
  const options = { serializers: { [types.BYTEA]: byteaHex } };
  const db = dataDir === undefined ? await PGlite.create(options) : await PGlite.create(dataDir, options);
  const query: SqlQuery = async <R>(sql: string, params: readonly unknown[] = []) =>
    (await db.query<R>(sql, [...params])).rows;
  return {
    kind: 'pglite',
    query,
    simple: async (sql) => {
      await db.exec(sql);
    },
    transaction: (work) =>
      db.transaction(async (tx) => work(async <R>(sql: string, params: readonly unknown[] = []) => (await tx.query<R>(sql, [...params])).rows)),
    close: () => db.close(),
  };
}
