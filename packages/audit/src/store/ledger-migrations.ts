/**
 * The ledger's schema, in one place for every backend (PGlite and PostgreSQL ≥ 15 run the same
 * SQL). Append-only by design: entries and checkpoints are never updated; a partial tile
 * (C2SP tlog-tiles) grows by appended pieces and is stored whole once full (migration 5). Each
 * migration is a list of statements. Never edit a released migration: add a new one.
 */
export const LEDGER_MIGRATIONS: readonly (readonly string[])[] = [
  splitStatements(`
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
  `),
  [
    // One group commit in ONE statement (one round trip, atomic as a statement): lock, check
    // that the log has not grown under the writer, then entries, tiles and checkpoint.
    `CREATE OR REPLACE FUNCTION ledger_append(
       from_size bigint, idxs bigint[], leaves bytea[], actor_ids text[], actions text[], ats timestamptz[], resource_keys text[],
       tile_levels integer[], tile_idxs bigint[], tile_hashes bytea[], cp_size bigint, cp_note text
     ) RETURNS void LANGUAGE plpgsql AS $fn$
     DECLARE
       current_size bigint;
     BEGIN
       PERFORM pg_advisory_xact_lock(${String(0x5048_4947)});
       SELECT max(size) INTO current_size FROM ledger_checkpoints;
       IF coalesce(current_size, 0) <> from_size THEN
         RAISE EXCEPTION 'the log grew under this writer' USING ERRCODE = 'LD001';
       END IF;
       INSERT INTO ledger_entries (idx, leaf, actor_id, action, at, resources)
         SELECT u.idx, u.leaf, u.actor_id, u.action, u.at, string_to_array(u.res, E'\\n')
         FROM unnest(idxs, leaves, actor_ids, actions, ats, resource_keys) AS u(idx, leaf, actor_id, action, at, res);
       INSERT INTO ledger_tiles (level, idx, hashes)
         SELECT * FROM unnest(tile_levels, tile_idxs, tile_hashes)
         ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes;
       INSERT INTO ledger_checkpoints (size, note) VALUES (cp_size, cp_note);
     END
     $fn$`,
  ],
  [
    // Event times grow with the index: a BRIN index finds time ranges at a fraction of a
    // B-tree's cost per insert (PostgreSQL 15 §71 BRIN Indexes).
    'DROP INDEX IF EXISTS ledger_entries_at',
    'CREATE INDEX IF NOT EXISTS ledger_entries_at_brin ON ledger_entries USING brin (at)',
  ],
  [
    // ledger_append with packed parameters: leaves and tile hashes each travel as ONE binary
    // bytea (no hex text to build and parse) cut by offsets, the text columns as one
    // newline-joined text each. Same steps as ledger_append: lock, size check, entries, tiles,
    // checkpoint, in one statement (one round trip, atomic).
    `CREATE OR REPLACE FUNCTION ledger_append_packed(
       from_size bigint, leaves bytea, leaf_offsets integer[], actor_ids text, actions text, ats text, resource_keys text,
       tile_levels integer[], tile_idxs bigint[], tiles bytea, tile_offsets integer[], cp_size bigint, cp_note text
     ) RETURNS void LANGUAGE plpgsql AS $fn$
     DECLARE
       current_size bigint;
     BEGIN
       IF coalesce(array_length(leaf_offsets, 1), 0) <> cp_size - from_size + 1 THEN
         RAISE EXCEPTION 'ledger_append_packed: entry count does not match the checkpoint' USING ERRCODE = '22023';
       END IF;
       PERFORM pg_advisory_xact_lock(${String(0x5048_4947)});
       SELECT max(size) INTO current_size FROM ledger_checkpoints;
       IF coalesce(current_size, 0) <> from_size THEN
         RAISE EXCEPTION 'the log grew under this writer' USING ERRCODE = 'LD001';
       END IF;
       INSERT INTO ledger_entries (idx, leaf, actor_id, action, at, resources)
         SELECT from_size + u.n - 1,
                substring(leaves FROM leaf_offsets[u.n] + 1 FOR leaf_offsets[u.n + 1] - leaf_offsets[u.n]),
                coalesce(u.actor_id, ''), coalesce(u.action, ''), u.at::timestamptz,
                coalesce(string_to_array(u.res, E'\t'), '{}')
         FROM unnest(string_to_array(actor_ids, E'\n'), string_to_array(actions, E'\n'), string_to_array(ats, E'\n'),
                     string_to_array(resource_keys, E'\n')) WITH ORDINALITY AS u(actor_id, action, at, res, n)
         WHERE u.n <= cp_size - from_size;
       INSERT INTO ledger_tiles (level, idx, hashes)
         SELECT t.level, t.idx, substring(tiles FROM tile_offsets[t.n] + 1 FOR tile_offsets[t.n + 1] - tile_offsets[t.n])
         FROM unnest(tile_levels, tile_idxs) WITH ORDINALITY AS t(level, idx, n)
         ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes;
       INSERT INTO ledger_checkpoints (size, note) VALUES (cp_size, cp_note);
     END
     $fn$`,
  ],
  [
    // Partial tiles as append-only pieces: a group commit used to rewrite the 8 KiB right-edge
    // tile of each level (an UPDATE of a TOASTed value, a dead 8 KiB tuple per commit); now it
    // inserts only the hashes the batch added, at their position (`start`, in hashes). A tile the
    // batch completes is stored whole (start 0) in place of its pieces, so full tiles, which never
    // change again, are one row each. `getTile` concatenates a tile's rows in `start` order.
    'ALTER TABLE ledger_tiles ADD COLUMN IF NOT EXISTS start integer NOT NULL DEFAULT 0',
    'ALTER TABLE ledger_tiles DROP CONSTRAINT IF EXISTS ledger_tiles_pkey',
    'ALTER TABLE ledger_tiles ADD PRIMARY KEY (level, idx, start)',
    // The earlier append functions upsert on (level, idx), which is no longer a key.
    'DROP FUNCTION IF EXISTS ledger_append(bigint, bigint[], bytea[], text[], text[], timestamptz[], text[], integer[], bigint[], bytea[], bigint, text)',
    'DROP FUNCTION IF EXISTS ledger_append_packed(bigint, bytea, integer[], text, text, text, text, integer[], bigint[], bytea, integer[], bigint, text)',
    // ledger_append_packed's steps and parameters, the tiles as pieces: lock, size check, entries,
    // tile pieces (a piece at start 0 first removes the tile's earlier rows), checkpoint.
    `CREATE OR REPLACE FUNCTION ledger_append_pieces(
       from_size bigint, leaves bytea, leaf_offsets integer[], actor_ids text, actions text, ats text, resource_keys text,
       tile_levels integer[], tile_idxs bigint[], tile_starts integer[], tiles bytea, tile_offsets integer[], cp_size bigint, cp_note text
     ) RETURNS void LANGUAGE plpgsql AS $fn$
     DECLARE
       current_size bigint;
     BEGIN
       IF coalesce(array_length(leaf_offsets, 1), 0) <> cp_size - from_size + 1 THEN
         RAISE EXCEPTION 'ledger_append_pieces: entry count does not match the checkpoint' USING ERRCODE = '22023';
       END IF;
       PERFORM pg_advisory_xact_lock(${String(0x5048_4947)});
       SELECT max(size) INTO current_size FROM ledger_checkpoints;
       IF coalesce(current_size, 0) <> from_size THEN
         RAISE EXCEPTION 'the log grew under this writer' USING ERRCODE = 'LD001';
       END IF;
       INSERT INTO ledger_entries (idx, leaf, actor_id, action, at, resources)
         SELECT from_size + u.n - 1,
                substring(leaves FROM leaf_offsets[u.n] + 1 FOR leaf_offsets[u.n + 1] - leaf_offsets[u.n]),
                coalesce(u.actor_id, ''), coalesce(u.action, ''), u.at::timestamptz,
                coalesce(string_to_array(u.res, E'\t'), '{}')
         FROM unnest(string_to_array(actor_ids, E'\n'), string_to_array(actions, E'\n'), string_to_array(ats, E'\n'),
                     string_to_array(resource_keys, E'\n')) WITH ORDINALITY AS u(actor_id, action, at, res, n)
         WHERE u.n <= cp_size - from_size;
       DELETE FROM ledger_tiles d
         USING unnest(tile_levels, tile_idxs, tile_starts) AS t(level, idx, start)
         WHERE t.start = 0 AND d.level = t.level AND d.idx = t.idx;
       INSERT INTO ledger_tiles (level, idx, start, hashes)
         SELECT t.level, t.idx, t.start, substring(tiles FROM tile_offsets[t.n] + 1 FOR tile_offsets[t.n + 1] - tile_offsets[t.n])
         FROM unnest(tile_levels, tile_idxs, tile_starts) WITH ORDINALITY AS t(level, idx, start, n);
       INSERT INTO ledger_checkpoints (size, note) VALUES (cp_size, cp_note);
     END
     $fn$`,
  ],
];

/** SQLSTATE that `ledger_append` raises when the batch is stale (another writer appended first). */
export const LEDGER_CONFLICT_SQLSTATE = 'LD001';

function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Bookkeeping table for {@link LEDGER_MIGRATIONS}: one row per applied migration. */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ledger_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;

/** Key of the transaction-scoped advisory lock that serializes migrations and appends ('PHIG'). */
export const LEDGER_LOCK_KEY = 0x5048_4947;
