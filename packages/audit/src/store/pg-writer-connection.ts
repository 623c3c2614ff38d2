import pg from 'pg';
import { PreparedRun } from './prepared-run.ts';

/**
 * One PostgreSQL connection of its own for a single writer that runs the same prepared statement
 * again and again (the ledger's group commit), beside the pool that serves everything else.
 */
export interface PgWriterConnection {
  /**
   * Runs the named prepared statement (parsed and planned once per connection, PostgreSQL 15
   * §55.2.3) and resolves, without its rows, once PostgreSQL answered ReadyForQuery: for a
   * statement in an implicit transaction, after its COMMIT. Rejects with the server's error.
   */
  readonly run: (name: string, text: string, values: readonly (string | Buffer)[]) => Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the connection on first use and again after it broke. Compared with `pool.query` this
 * skips, per statement, the pool's acquire and release (with its idle timer), the copy of the
 * query config, node-postgres' promise wrapper, and the Describe messages and result rows
 * ({@link PreparedRun}).
 *
 * Callers run one statement at a time (the ledger store chains its appends), so a statement is
 * never queued behind one that died with the old connection.
 */
export function openPgWriterConnection(config: pg.ClientConfig): PgWriterConnection {
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  const drop = (c: pg.Client): void => {
    if (client === c) client = undefined;
    c.end().catch(() => undefined);
  };
  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client(config);
    // A connection that breaks emits 'error' (and 'end'); the next run opens a new one.
    c.on('error', () => {
      drop(c);
    });
    c.on('end', () => {
      if (client === c) client = undefined;
    });
    try {
      await c.connect();
    } catch (error) {
      drop(c);
      throw error;
    }
    if (closed) {
      drop(c);
      throw new Error('the writer connection is closed');
    }
    client = c;
    return c;
  };
  const send = (c: pg.Client, name: string, text: string, values: readonly (string | Buffer)[]): Promise<void> => {
    const { promise, resolve, reject } = Promise.withResolvers<undefined>();
    let run: PreparedRun;
    try {
      run = new PreparedRun(name, text, values, (error) => {
        if (error === null) {
          resolve(undefined);
          return;
        }
        // A statement's ERROR leaves the connection usable; FATAL (the backend was terminated) or
        // a socket error does not (PostgreSQL 15 §55.8, ErrorResponse severity).
        if (!(error instanceof pg.DatabaseError) || error.severity !== 'ERROR') drop(c);
        reject(error);
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError('bad statement parameters'));
    }
    c.query(run);
    return promise;
  };

  return {
    run(name, text, values) {
      if (closed) return Promise.reject(new Error('the writer connection is closed'));
      const c = client;
      if (c !== undefined) return send(c, name, text, values);
      connecting ??= connect().finally(() => {
        connecting = undefined;
      });
      return connecting.then((fresh) => send(fresh, name, text, values));
    },
    async close() {
      closed = true;
      const c = client ?? (await connecting?.catch(() => undefined));
      client = undefined;
      if (c !== undefined) await c.end().catch(() => undefined);
    },
  };
}
