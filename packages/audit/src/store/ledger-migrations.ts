/**
 * The ledger's schema, in one place for every backend (PGlite and PostgreSQL ≥ 15 run the same
 * SQL). Append-only by design: entries and checkpoints are never updated; tiles are replaced by
 * their newer, longer versions (C2SP tlog-tiles partial tiles). Never edit a released migration:
 * add a new one.
 */
export const LEDGER_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS ledger_entries (
    idx        bigint      PRIMARY KEY,
    leaf       bytea       NOT NULL,
    actor_id   text        NOT NULL,
    action     text        NOT NULL,
    at         timestamptz NOT NULL,
    resources  text[]      NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ledger_entries_actor ON ledger_entries (actor_id, idx);
  CREATE INDEX IF NOT EXISTS ledger_entries_action ON ledger_entries (action, idx);
  CREATE INDEX IF NOT EXISTS ledger_entries_at ON ledger_entries (at);
  CREATE INDEX IF NOT EXISTS ledger_entries_resources ON ledger_entries USING gin (resources);
  CREATE TABLE IF NOT EXISTS ledger_tiles (
    level   integer NOT NULL,
    idx     bigint  NOT NULL,
    hashes  bytea   NOT NULL,
    PRIMARY KEY (level, idx)
  );
  CREATE TABLE IF NOT EXISTS ledger_checkpoints (
    size        bigint      PRIMARY KEY,
    note        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ledger_verifier_keys (
    verifier_key  text        PRIMARY KEY,
    added_at      timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ledger_sink_cursors (
    sink_id     text   PRIMARY KEY,
    next_index  bigint NOT NULL CHECK (next_index >= 0)
  );
  `,
];

/** Bookkeeping table for {@link LEDGER_MIGRATIONS}: one row per applied migration. */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ledger_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;

/** Key of the transaction-scoped advisory lock that serializes migrations and appends. */
export const LEDGER_LOCK_KEY = 0x5048_4947; // 'PHIG'
