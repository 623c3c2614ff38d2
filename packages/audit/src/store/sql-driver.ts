/**
 * Runs one SQL statement with positional parameters ($1, $2, ...) and returns its rows.
 * `prepareAs` names a statement run often with the same text: PostgreSQL then parses and plans it
 * once per connection (a prepared statement, PostgreSQL 15 §55.2.3); PGlite ignores it.
 */
export type SqlQuery = <R>(sql: string, params?: readonly unknown[], prepareAs?: string) => Promise<R[]>;

/**
 * The little the ledger store needs from a PostgreSQL-dialect database, so that one
 * implementation (and one set of SQL) serves PGlite and PostgreSQL alike.
 */
export interface SqlDriver {
  readonly kind: 'pglite' | 'postgres';
  readonly query: SqlQuery;
  /**
   * Runs one statement without parameters over the simple query protocol, where that is one
   * round trip instead of several (PGlite: parse, describe, bind, describe, execute and sync are
   * each a call into the WebAssembly engine). The caller builds the literals.
   */
  readonly simple?: (sql: string) => Promise<void>;
  /**
   * Runs a named prepared statement whose rows are not needed on a connection kept for one
   * writer (PostgreSQL: not the pool; one statement at a time, the caller orders them). Resolves
   * after PostgreSQL's ReadyForQuery, so after the COMMIT of an implicit transaction.
   */
  readonly runPrepared?: (name: string, sql: string, params: readonly (string | Buffer)[]) => Promise<void>;
  /** Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
