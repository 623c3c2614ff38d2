/**
 * The access schema, in order. Each entry runs once, recorded in access_migrations. The same SQL
 * serves PGlite and PostgreSQL. Times are epoch milliseconds (BIGINT).
 */
export const ACCESS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE access_users (
     id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, roles TEXT[] NOT NULL, password_hash TEXT NOT NULL,
     totp_secret TEXT, totp_last_step BIGINT NOT NULL DEFAULT -1, failed_logins INTEGER NOT NULL DEFAULT 0,
     locked_until_ms BIGINT NOT NULL DEFAULT 0, disabled BOOLEAN NOT NULL DEFAULT FALSE,
     custodian_of TEXT[] NOT NULL DEFAULT '{}', created_ms BIGINT NOT NULL);
   CREATE TABLE access_recovery_codes (
     user_id TEXT NOT NULL REFERENCES access_users(id), hash TEXT NOT NULL, used_ms BIGINT, PRIMARY KEY (user_id, hash));
   CREATE TABLE access_service_accounts (
     id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, roles TEXT[] NOT NULL, disabled BOOLEAN NOT NULL DEFAULT FALSE, created_ms BIGINT NOT NULL);
   CREATE TABLE access_api_keys (
     id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES access_service_accounts(id), secret_hash TEXT NOT NULL,
     scopes TEXT[] NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, revoked_ms BIGINT);
   CREATE TABLE access_sessions (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES access_users(id), secret_hash TEXT NOT NULL, created_ms BIGINT NOT NULL,
     last_seen_ms BIGINT NOT NULL, mfa_ms BIGINT NOT NULL, ended_ms BIGINT);
   CREATE TABLE access_grants (
     id TEXT PRIMARY KEY, principal_id TEXT NOT NULL, action TEXT NOT NULL, resource_type TEXT NOT NULL,
     resource_id TEXT NOT NULL, purpose TEXT NOT NULL, granted_by TEXT NOT NULL, created_ms BIGINT NOT NULL,
     expires_ms BIGINT NOT NULL, revoked_ms BIGINT);
   CREATE INDEX access_grants_principal ON access_grants (principal_id);
   CREATE TABLE access_break_glass (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, reason TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT NOT NULL,
     started_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, reviewed_by TEXT, reviewed_ms BIGINT);
   CREATE TABLE access_webauthn_credentials (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES access_users(id), public_key BYTEA NOT NULL,
     counter BIGINT NOT NULL, created_ms BIGINT NOT NULL);`,
  // Token signing keys survive restarts (private keys sealed by SecretBox).
  `CREATE TABLE access_signing_keys (
     kid TEXT PRIMARY KEY, public_jwk TEXT NOT NULL, sealed_private_key TEXT NOT NULL, created_ms BIGINT NOT NULL, retired_ms BIGINT)`,
];
