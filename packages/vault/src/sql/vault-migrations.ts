/**
 * Schema of the vault's metadata (datasets, versions, linkage vault), the same on PGlite and
 * PostgreSQL ≥ 15. Appended to, never edited: entry i is migration i + 1.
 */
export const VAULT_MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE vault_datasets (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      key_provider text NOT NULL,
      key_id text NOT NULL,
      created_by text NOT NULL,
      created_ms bigint NOT NULL,
      retain_until_ms bigint,
      legal_hold boolean NOT NULL DEFAULT false
    )`,
    `CREATE TABLE vault_versions (
      dataset_id text NOT NULL REFERENCES vault_datasets (id),
      version integer NOT NULL CHECK (version >= 1),
      manifest text NOT NULL,
      manifest_hash text NOT NULL,
      signature text NOT NULL,
      signer_key_id text NOT NULL,
      created_ms bigint NOT NULL,
      ledger_index bigint,
      PRIMARY KEY (dataset_id, version)
    )`,
    `CREATE TABLE vault_version_blobs (
      dataset_id text NOT NULL,
      version integer NOT NULL,
      blob text NOT NULL,
      PRIMARY KEY (dataset_id, version, blob),
      FOREIGN KEY (dataset_id, version) REFERENCES vault_versions (dataset_id, version)
    )`,
    `CREATE INDEX vault_version_blobs_blob ON vault_version_blobs (blob)`,
    // Versions are facts: only the ledger index may be filled in, once (ARCHITECTURE §3.6).
    `CREATE FUNCTION vault_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.dataset_id <> OLD.dataset_id OR NEW.version <> OLD.version OR NEW.manifest <> OLD.manifest
         OR NEW.manifest_hash <> OLD.manifest_hash OR NEW.signature <> OLD.signature
         OR NEW.signer_key_id <> OLD.signer_key_id OR NEW.created_ms <> OLD.created_ms
         OR (OLD.ledger_index IS NOT NULL AND NEW.ledger_index IS DISTINCT FROM OLD.ledger_index) THEN
        RAISE EXCEPTION 'dataset versions are immutable' USING ERRCODE = 'VT001';
      END IF;
      RETURN NEW;
    END $$`,
    `CREATE TRIGGER vault_versions_immutable BEFORE UPDATE ON vault_versions FOR EACH ROW EXECUTE FUNCTION vault_versions_immutable()`,
    `CREATE FUNCTION vault_version_blobs_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'dataset versions are immutable' USING ERRCODE = 'VT001';
    END $$`,
    `CREATE TRIGGER vault_version_blobs_immutable BEFORE UPDATE ON vault_version_blobs FOR EACH ROW EXECUTE FUNCTION vault_version_blobs_immutable()`,
    // Retention moves only later (S3 Object Lock compliance mode semantics), by anyone.
    `CREATE FUNCTION vault_retention_extends() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.retain_until_ms IS NOT NULL AND (NEW.retain_until_ms IS NULL OR NEW.retain_until_ms < OLD.retain_until_ms) THEN
        RAISE EXCEPTION 'retention can only be extended' USING ERRCODE = 'VT002';
      END IF;
      IF NEW.id <> OLD.id OR NEW.key_id <> OLD.key_id OR NEW.key_provider <> OLD.key_provider OR NEW.created_ms <> OLD.created_ms THEN
        RAISE EXCEPTION 'dataset identity is immutable' USING ERRCODE = 'VT001';
      END IF;
      RETURN NEW;
    END $$`,
    `CREATE TRIGGER vault_retention_extends BEFORE UPDATE ON vault_datasets FOR EACH ROW EXECUTE FUNCTION vault_retention_extends()`,
    `CREATE TABLE vault_linkage_keys (
      id text PRIMARY KEY,
      provider text NOT NULL,
      key_id text NOT NULL,
      key_version integer NOT NULL,
      wrapped bytea NOT NULL,
      created_ms bigint NOT NULL
    )`,
    `CREATE TABLE vault_linkage_entries (
      token text PRIMARY KEY,
      sealed bytea NOT NULL,
      created_ms bigint NOT NULL
    )`,
    `CREATE TABLE vault_reid_requests (
      id text PRIMARY KEY,
      requester text NOT NULL,
      purpose text NOT NULL,
      tokens text NOT NULL,
      created_ms bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'approved', 'denied', 'revealed')),
      decided_by text,
      decided_ms bigint,
      revealed_ms bigint
    )`,
  ],
  // 2: re-identification requests carry the requester's stated reason and a denial's reason
  // (free text, shown to reviewers; the ledger gets hashes), and are listed by status and requester.
  [
    `ALTER TABLE vault_reid_requests ADD COLUMN reason text NOT NULL DEFAULT ''`,
    `ALTER TABLE vault_reid_requests ADD COLUMN decision_reason text`,
    `CREATE INDEX vault_reid_requests_status ON vault_reid_requests (status, created_ms)`,
    `CREATE INDEX vault_reid_requests_requester ON vault_reid_requests (requester, created_ms)`,
  ],
  // 3: a requester may withdraw a request before it is decided or revealed (issues 4 and 7).
  // The CHECK of migration 1 has PostgreSQL's default name <table>_<column>_check.
  [
    `ALTER TABLE vault_reid_requests DROP CONSTRAINT vault_reid_requests_status_check`,
    `ALTER TABLE vault_reid_requests ADD CONSTRAINT vault_reid_requests_status_check CHECK (status IN ('open', 'approved', 'denied', 'revealed', 'withdrawn'))`,
    `ALTER TABLE vault_reid_requests ADD COLUMN withdrawn_ms bigint`,
  ],
];

export const VAULT_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS vault_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;

/** pg_advisory_xact_lock key for migrations ('PGVT'). */
export const VAULT_LOCK_KEY = 0x5047_5654;

/** SQLSTATEs raised by the triggers above. */
export const IMMUTABLE_SQLSTATE = 'VT001';
export const RETENTION_SQLSTATE = 'VT002';
