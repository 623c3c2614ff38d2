import type pg from 'pg';
import { bindExecuteSync } from './bind-execute-sync.ts';

/** What {@link PreparedRun} reads of node-postgres' connection (lib/connection.js). */
interface PgConnection {
  readonly stream: { readonly writable: boolean; cork(): void; uncork(): void; write(bytes: Buffer): boolean };
  readonly parsedStatements: Record<string, string | undefined>;
  readonly submittedNamedStatements: Record<string, string | undefined>;
  parse(message: { text: string; name: string; types: readonly number[] }): void;
  sendCopyFail(message: string): void;
}

/**
 * One execution of a named prepared statement whose rows are not wanted, as node-postgres'
 * `Submittable` (the extension point pg-cursor and pg-query-stream use): Parse once per
 * connection, then Bind, Execute, Sync as one buffer in one write (PostgreSQL 15 §55.2.3,
 * {@link bindExecuteSync}). Unlike `pg.Query` it sends no Describe and so gets no RowDescription, builds no Result and parses no row.
 * `done` is called once: with null at ReadyForQuery (after the implicit transaction's COMMIT),
 * or with the error.
 */
export class PreparedRun implements pg.Submittable {
  readonly name: string;
  readonly text: string;
  /** Bind, Execute, Sync, built at once so that a bad value throws before anything is queued. */
  readonly #message: Buffer;
  #done: ((error: Error | null) => void) | undefined;

  constructor(name: string, text: string, values: readonly (string | Buffer)[], done: (error: Error | null) => void) {
    this.name = name;
    this.text = text;
    this.#message = bindExecuteSync(name, values);
    this.#done = done;
  }

  /** Called by the client when the connection is ready; node-postgres tracks what was parsed. */
  submit(connection: unknown): void {
    const c = connection as PgConnection;
    const message = this.#message;
    // As node-postgres' own writes: nothing goes to a socket that is already closing.
    if (!c.stream.writable) return;
    if (c.parsedStatements[this.name] === undefined && c.submittedNamedStatements[this.name] === undefined) {
      c.stream.cork();
      c.parse({ text: this.text, name: this.name, types: [] });
      c.submittedNamedStatements[this.name] = this.text;
      c.stream.write(message);
      c.stream.uncork();
    } else {
      c.stream.write(message);
    }
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
  handleCopyInResponse(connection: unknown): void {
    (connection as PgConnection).sendCopyFail('no COPY data here');
  }

  handleError(error: Error): void {
    this.#finish(error);
  }

  handleReadyForQuery(): void {
    this.#finish(null);
  }

  #finish(error: Error | null): void {
    const done = this.#done;
    this.#done = undefined;
    done?.(error);
  }
}
