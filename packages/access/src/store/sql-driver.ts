// Same small driver as @phiguard/audit's (not exported there); kept in step with it.
/** Runs one SQL statement with positional parameters ($1, $2, ...) and returns its rows. */
export type SqlQuery = <R>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

/**
 * The little the ledger store needs from a PostgreSQL-dialect database, so that one
 * implementation (and one set of SQL) serves PGlite and PostgreSQL alike.
 */
export interface SqlDriver {
  readonly kind: 'pglite' | 'postgres';
  readonly query: SqlQuery;
  /** Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
