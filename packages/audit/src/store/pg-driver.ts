import pg from 'pg';
import { openPgWriterConnection } from './pg-writer-connection.ts';
import type { SqlDriver, SqlQuery } from './sql-driver.ts';

export interface PgDriverOptions {
  /** `postgres://…` connection string. */
  readonly url: string;
  /**
   * A schema to create (if missing) and use as the search path. Default: the server's search
   * path, or the `options=-c search_path=…` of the URL.
   */
  readonly schema?: string;
  /** Pool size; default 4. */
  readonly maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A {@link SqlDriver} over PostgreSQL (node-postgres Pool). `synchronous_commit` stays as the
 * server has it (ON by default): a COMMIT returns only after the WAL is flushed.
 */
export async function openPgDriver(options: PgDriverOptions): Promise<SqlDriver> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new TypeError('schema must be a lower-case SQL identifier');
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (error) {
      // Two openers racing on IF NOT EXISTS: one wins, the other sees a unique violation (23505) or 42P06.
      const code = (error as { code?: unknown }).code;
      if (code !== '23505' && code !== '42P06') throw error;
    } finally {
      await admin.end();
    }
  }
  const connection = { connectionString: options.url, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) };
  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 4 });
  // The ledger's appends: a connection of their own, opened on the first append.
  const writer = openPgWriterConnection(connection);
  // An idle client that loses its connection emits 'error'; the next query reports the problem.
  pool.on('error', () => undefined);
  const query: SqlQuery = async <R>(sql: string, params: readonly unknown[] = [], prepareAs?: string) =>
    (await pool.query<R & pg.QueryResultRow>(prepareAs === undefined ? { text: sql, values: [...params] } : { name: prepareAs, text: sql, values: [...params] })).rows;
  return {
    kind: 'postgres',
    query,
    runPrepared: writer.run,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(async <R>(sql: string, params: readonly unknown[] = []) =>
          (await client.query<R & pg.QueryResultRow>(sql, [...params])).rows,
        );
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await writer.close();
      await pool.end();
    },
  };
}
