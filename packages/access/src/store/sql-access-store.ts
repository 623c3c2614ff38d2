import { isPurposeOfUse } from '@phiguard/audit';
import { AccessError } from '../access-error.ts';
import type { ServiceAccountRecord, UserRecord } from '../identity/principal.ts';
import { isRole } from '../roles.ts';
import { ACCESS_MIGRATIONS } from './access-migrations.ts';
import type { ApiKeyRecord, BreakGlassRecord, GrantRecord, SessionRecord, SigningKeyRecord, WebAuthnCredentialRecord } from './access-records.ts';
import type { AccessStore, UserPatch } from './access-store.ts';
import type { SqlDriver, SqlQuery } from '@phiguard/audit';

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const str = (v: unknown): string => String(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function toUser(r: Row): UserRecord {
  return Object.freeze({
    id: str(r.id),
    username: str(r.username),
    roles: Object.freeze(strings(r.roles).filter(isRole)),
    passwordHash: str(r.password_hash),
    totpSecret: optStr(r.totp_secret),
    totpLastStep: num(r.totp_last_step),
    failedLogins: num(r.failed_logins),
    lockedUntilMs: num(r.locked_until_ms),
    disabled: r.disabled === true,
    custodianOf: Object.freeze(strings(r.custodian_of)),
    createdMs: num(r.created_ms),
  });
}

function toApiKey(r: Row): ApiKeyRecord {
  return Object.freeze({
    id: str(r.id), accountId: str(r.account_id), secretHash: str(r.secret_hash), scopes: Object.freeze(strings(r.scopes)),
    createdMs: num(r.created_ms), expiresMs: num(r.expires_ms), revokedMs: optNum(r.revoked_ms),
  });
}

function toSession(r: Row): SessionRecord {
  return Object.freeze({
    id: str(r.id), userId: str(r.user_id), secretHash: str(r.secret_hash), createdMs: num(r.created_ms), lastSeenMs: num(r.last_seen_ms), mfaMs: num(r.mfa_ms),
    endedMs: optNum(r.ended_ms),
  });
}

function toGrant(r: Row): GrantRecord {
  const purpose = r.purpose;
  if (!isPurposeOfUse(purpose)) throw new AccessError('conflict', 'stored grant has an unknown purpose of use', { place: { field: 'purpose' } });
  return Object.freeze({
    id: str(r.id), principalId: str(r.principal_id), action: str(r.action), resourceType: str(r.resource_type), resourceId: str(r.resource_id),
    purpose, grantedBy: str(r.granted_by), createdMs: num(r.created_ms), expiresMs: num(r.expires_ms), revokedMs: optNum(r.revoked_ms),
  });
}

function toBreakGlass(r: Row): BreakGlassRecord {
  return Object.freeze({
    id: str(r.id), userId: str(r.user_id), reason: str(r.reason), resourceType: str(r.resource_type), resourceId: str(r.resource_id),
    startedMs: num(r.started_ms), expiresMs: num(r.expires_ms), reviewedBy: optStr(r.reviewed_by), reviewedMs: optNum(r.reviewed_ms),
  });
}

async function migrate(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (q) => {
    // One migrator at a time across processes (PostgreSQL advisory lock, taken before any DDL).
    await q('SELECT pg_advisory_xact_lock(7340001)');
    await q('CREATE TABLE IF NOT EXISTS access_migrations (version INTEGER PRIMARY KEY)');
    const done = new Set((await q<{ version: unknown }>('SELECT version FROM access_migrations')).map((r) => Number(r.version)));
    for (const [i, sql] of ACCESS_MIGRATIONS.entries()) {
      if (done.has(i)) continue;
      for (const statement of sql.split(';').map((s) => s.trim()).filter((s) => s !== '')) await q(statement);
      await q('INSERT INTO access_migrations (version) VALUES ($1)', [i]);
    }
  });
}

async function insert(q: SqlQuery, table: string, values: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(values);
  const params = columns.map((_, i) => `$${String(i + 1)}`).join(', ');
  try {
    await q(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params})`, Object.values(values));
  } catch (error) {
    // 23505 unique_violation, 23503 foreign_key_violation (PostgreSQL Appendix A)
    const code = (error as { code?: unknown }).code;
    if (code === '23505' || code === '23503') throw new AccessError('conflict', `${table} row conflicts with an existing one`, { cause: error, place: { path: table } });
    throw error;
  }
}

/** An {@link AccessStore} over a PostgreSQL-dialect driver; runs the migrations first. */
export async function openSqlAccessStore(driver: SqlDriver): Promise<AccessStore> {
  await migrate(driver);
  const q = driver.query;
  const one = async <T>(sql: string, params: readonly unknown[], map: (r: Row) => T): Promise<T | undefined> => {
    const rows = await q<Row>(sql, params);
    return rows[0] === undefined ? undefined : map(rows[0]);
  };
  return {
    async createUser(u) {
      await insert(q, 'access_users', {
        id: u.id, username: u.username, roles: [...u.roles], password_hash: u.passwordHash, totp_secret: u.totpSecret ?? null,
        totp_last_step: u.totpLastStep, failed_logins: u.failedLogins, locked_until_ms: u.lockedUntilMs, disabled: u.disabled,
        custodian_of: [...u.custodianOf], created_ms: u.createdMs,
      });
    },
    getUser: (id) => one('SELECT * FROM access_users WHERE id = $1', [id], toUser),
    findUserByName: (username) => one('SELECT * FROM access_users WHERE username = $1', [username], toUser),
    listUsers: async () => (await q<Row>('SELECT * FROM access_users ORDER BY created_ms, id')).map(toUser),
    async updateUser(id, patch: UserPatch) {
      const columns: Record<string, unknown> = {};
      if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
      if ('totpSecret' in patch) columns.totp_secret = patch.totpSecret ?? null;
      if (patch.failedLogins !== undefined) columns.failed_logins = patch.failedLogins;
      if (patch.lockedUntilMs !== undefined) columns.locked_until_ms = patch.lockedUntilMs;
      if (patch.disabled !== undefined) columns.disabled = patch.disabled;
      if (patch.roles !== undefined) columns.roles = [...patch.roles];
      if (patch.custodianOf !== undefined) columns.custodian_of = [...patch.custodianOf];
      const names = Object.keys(columns);
      if (names.length === 0) return;
      const set = names.map((c, i) => `${c} = $${String(i + 2)}`).join(', ');
      const rows = await q(`UPDATE access_users SET ${set} WHERE id = $1 RETURNING id`, [id, ...Object.values(columns)]);
      if (rows.length === 0) throw new AccessError('not-found', 'no such user', { place: { path: 'access_users' } });
    },
    async advanceTotpStep(userId, step) {
      const rows = await q('UPDATE access_users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2 RETURNING id', [userId, step]);
      return rows.length === 1;
    },
    async countFailedLogin(userId) {
      const rows = await q<Row>('UPDATE access_users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins', [userId]);
      return num(rows[0]?.failed_logins ?? 0);
    },
    async replaceRecoveryCodes(userId, hashes) {
      await driver.transaction(async (tx) => {
        await tx('DELETE FROM access_recovery_codes WHERE user_id = $1', [userId]);
        for (const hash of hashes) await tx('INSERT INTO access_recovery_codes (user_id, hash) VALUES ($1, $2)', [userId, hash]);
      });
    },
    async useRecoveryCode(userId, hash, atMs) {
      const rows = await q('UPDATE access_recovery_codes SET used_ms = $3 WHERE user_id = $1 AND hash = $2 AND used_ms IS NULL RETURNING hash', [userId, hash, atMs]);
      return rows.length === 1;
    },
    async createServiceAccount(a) {
      await insert(q, 'access_service_accounts', { id: a.id, name: a.name, roles: [...a.roles], disabled: a.disabled, created_ms: a.createdMs });
    },
    getServiceAccount: (id) =>
      one('SELECT * FROM access_service_accounts WHERE id = $1', [id], (r): ServiceAccountRecord =>
        Object.freeze({ id: str(r.id), name: str(r.name), roles: Object.freeze(strings(r.roles).filter(isRole)), disabled: r.disabled === true, createdMs: num(r.created_ms) }),
      ),
    async createApiKey(k) {
      await insert(q, 'access_api_keys', {
        id: k.id, account_id: k.accountId, secret_hash: k.secretHash, scopes: [...k.scopes], created_ms: k.createdMs, expires_ms: k.expiresMs,
        revoked_ms: k.revokedMs ?? null,
      });
    },
    getApiKey: (id) => one('SELECT * FROM access_api_keys WHERE id = $1', [id], toApiKey),
    listApiKeys: async (accountId) => (await q<Row>('SELECT * FROM access_api_keys WHERE account_id = $1 ORDER BY created_ms, id', [accountId])).map(toApiKey),
    async revokeApiKey(id, atMs) {
      return (await q('UPDATE access_api_keys SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL RETURNING id', [id, atMs])).length === 1;
    },
    async createSession(s) {
      await insert(q, 'access_sessions', {
        id: s.id, user_id: s.userId, secret_hash: s.secretHash, created_ms: s.createdMs, last_seen_ms: s.lastSeenMs, mfa_ms: s.mfaMs, ended_ms: s.endedMs ?? null,
      });
    },
    getSession: (id) => one('SELECT * FROM access_sessions WHERE id = $1', [id], toSession),
    async touchSession(id, patch) {
      if (patch.lastSeenMs !== undefined) await q('UPDATE access_sessions SET last_seen_ms = GREATEST(last_seen_ms, $2) WHERE id = $1', [id, patch.lastSeenMs]);
      if (patch.mfaMs !== undefined) await q('UPDATE access_sessions SET mfa_ms = GREATEST(mfa_ms, $2) WHERE id = $1', [id, patch.mfaMs]);
    },
    async endSession(id, atMs) {
      await q('UPDATE access_sessions SET ended_ms = $2 WHERE id = $1 AND ended_ms IS NULL', [id, atMs]);
    },
    async createGrant(g) {
      await insert(q, 'access_grants', {
        id: g.id, principal_id: g.principalId, action: g.action, resource_type: g.resourceType, resource_id: g.resourceId, purpose: g.purpose,
        granted_by: g.grantedBy, created_ms: g.createdMs, expires_ms: g.expiresMs, revoked_ms: g.revokedMs ?? null,
      });
    },
    async listGrants(filter) {
      const rows = filter.principalId === undefined
        ? await q<Row>('SELECT * FROM access_grants ORDER BY created_ms, id')
        : await q<Row>('SELECT * FROM access_grants WHERE principal_id = $1 ORDER BY created_ms, id', [filter.principalId]);
      return rows.map(toGrant);
    },
    async revokeGrant(id, atMs) {
      return (await q('UPDATE access_grants SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL RETURNING id', [id, atMs])).length === 1;
    },
    async createBreakGlass(b) {
      await insert(q, 'access_break_glass', {
        id: b.id, user_id: b.userId, reason: b.reason, resource_type: b.resourceType, resource_id: b.resourceId, started_ms: b.startedMs,
        expires_ms: b.expiresMs, reviewed_by: b.reviewedBy ?? null, reviewed_ms: b.reviewedMs ?? null,
      });
    },
    async listBreakGlass(filter) {
      const conditions = [...(filter.unreviewedOnly === true ? ['reviewed_ms IS NULL'] : []), ...(filter.userId === undefined ? [] : ['user_id = $1'])];
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')} `;
      return (await q<Row>(`SELECT * FROM access_break_glass ${where}ORDER BY started_ms, id`, filter.userId === undefined ? [] : [filter.userId])).map(toBreakGlass);
    },
    async reviewBreakGlass(id, reviewer, atMs) {
      const rows = await q('UPDATE access_break_glass SET reviewed_by = $2, reviewed_ms = $3 WHERE id = $1 AND reviewed_ms IS NULL AND user_id <> $2 RETURNING id', [id, reviewer, atMs]);
      return rows.length === 1;
    },
    async addWebAuthnCredential(c) {
      await insert(q, 'access_webauthn_credentials', { id: c.id, user_id: c.userId, public_key: Buffer.from(c.publicKey), counter: c.counter, created_ms: c.createdMs });
    },
    listWebAuthnCredentials: async (userId) =>
      (await q<Row>('SELECT * FROM access_webauthn_credentials WHERE user_id = $1 ORDER BY created_ms, id', [userId])).map(
        (r): WebAuthnCredentialRecord =>
          Object.freeze({ id: str(r.id), userId: str(r.user_id), publicKey: new Uint8Array(r.public_key as Uint8Array), counter: num(r.counter), createdMs: num(r.created_ms) }),
      ),
    async advanceWebAuthnCounter(id, counter) {
      // W3C WebAuthn §6.1.1: a counter that does not grow (when non-zero) signals a cloned authenticator.
      const rows = await q('UPDATE access_webauthn_credentials SET counter = $2 WHERE id = $1 AND (counter < $2 OR ($2 = 0 AND counter = 0)) RETURNING id', [id, counter]);
      return rows.length === 1;
    },
    listSigningKeys: async () =>
      (await q<Row>('SELECT * FROM access_signing_keys ORDER BY created_ms DESC, kid DESC')).map(
        (r): SigningKeyRecord =>
          Object.freeze({ kid: str(r.kid), publicJwk: str(r.public_jwk), sealedPrivateKey: str(r.sealed_private_key), createdMs: num(r.created_ms), retiredMs: optNum(r.retired_ms) }),
      ),
    async addSigningKey(k) {
      await insert(q, 'access_signing_keys', { kid: k.kid, public_jwk: k.publicJwk, sealed_private_key: k.sealedPrivateKey, created_ms: k.createdMs, retired_ms: k.retiredMs ?? null });
    },
    async retireSigningKeys(keepKid, atMs) {
      return (await q('UPDATE access_signing_keys SET retired_ms = $2 WHERE kid <> $1 AND retired_ms IS NULL RETURNING kid', [keepKid, atMs])).length;
    },
    close: () => driver.close(),
  };
}
