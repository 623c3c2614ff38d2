/**
 * Schema of the compute control plane (catalog and job queue), the same SQL on PGlite and
 * PostgreSQL ≥ 15. Appended to, never edited: entry i is migration i + 1.
 */
export const COMPUTE_MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE compute_providers (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      doc text NOT NULL,
      created_ms bigint NOT NULL
    )`,
    `CREATE TABLE compute_nodes (
      id text PRIMARY KEY,
      provider_id text NOT NULL REFERENCES compute_providers (id),
      name text NOT NULL UNIQUE,
      doc text NOT NULL,
      created_ms bigint NOT NULL
    )`,
    `CREATE TABLE compute_jobs (
      id text PRIMARY KEY,
      queue text NOT NULL,
      spec text NOT NULL,
      state text NOT NULL CHECK (state IN ('queued', 'leased', 'succeeded', 'failed', 'cancelled', 'timed-out')),
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL CHECK (max_attempts >= 1),
      timeout_ms bigint NOT NULL CHECK (timeout_ms > 0),
      lease_token text,
      lease_owner text,
      lease_expires_ms bigint,
      started_ms bigint,
      completed_token text,
      result text,
      reason text,
      created_ms bigint NOT NULL,
      updated_ms bigint NOT NULL
    )`,
    `CREATE INDEX compute_jobs_ready ON compute_jobs (queue, created_ms) WHERE state IN ('queued', 'leased')`,
  ],
  [
    // Key-release challenges (SqlNonceStore): one use each, remembered until their TTL ends.
    `CREATE TABLE compute_nonces (
      nonce text PRIMARY KEY,
      expires_ms bigint NOT NULL,
      spent boolean NOT NULL DEFAULT false
    )`,
    `CREATE INDEX compute_nonces_expiry ON compute_nonces (expires_ms)`,
  ],
  [
    // Job dispatch (AgentStore): which service account speaks for a node, and each job's scanned logs.
    // No foreign keys: the queue and catalog tables are truncated independently in tests.
    `CREATE TABLE compute_agents (
      node_id text PRIMARY KEY,
      service_account_id text NOT NULL UNIQUE,
      registered_ms bigint NOT NULL,
      last_seen_ms bigint
    )`,
    `CREATE TABLE compute_job_logs (
      job_id text NOT NULL,
      seq integer NOT NULL,
      attempt integer NOT NULL,
      text text NOT NULL,
      flagged integer NOT NULL,
      created_ms bigint NOT NULL,
      PRIMARY KEY (job_id, seq)
    )`,
  ],
];

export const COMPUTE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS compute_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;

/** pg_advisory_xact_lock key for migrations ('PGCM'). */
export const COMPUTE_LOCK_KEY = 0x5047_434d;
