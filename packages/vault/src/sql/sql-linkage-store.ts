import type { PurposeOfUse, SqlDriver } from '@phiguard/audit';
import type { LinkageStore, ReidRequest, ReidRequestFilter, ReidState, ReidStatus, StoredTokenKey } from '../linkage/linkage-store.ts';

interface KeyRow {
  provider: string;
  key_id: string;
  key_version: number | string;
  wrapped: Uint8Array;
}

interface RequestRow {
  id: string;
  requester: string;
  purpose: string;
  tokens: string;
  created_ms: number | string;
  status: ReidStatus;
  decided_by: string | null;
  decided_ms: number | string | null;
  revealed_ms: number | string | null;
  reason: string;
  decision_reason: string | null;
  withdrawn_ms: number | string | null;
}

function requestOf(row: RequestRow): ReidRequest {
  return Object.freeze({
    id: row.id,
    requester: row.requester,
    purpose: row.purpose as PurposeOfUse,
    tokens: Object.freeze(JSON.parse(row.tokens) as string[]),
    createdMs: Number(row.created_ms),
    status: row.status,
    decidedBy: row.decided_by,
    decidedMs: row.decided_ms === null ? null : Number(row.decided_ms),
    reason: row.reason,
    decisionReason: row.decision_reason,
    revealedMs: row.revealed_ms === null ? null : Number(row.revealed_ms),
    withdrawnMs: row.withdrawn_ms === null ? null : Number(row.withdrawn_ms),
  });
}

/** {@link LinkageStore} on PGlite or PostgreSQL (tables of migrations 1 to 3 in vault-migrations.ts). */
export class SqlLinkageStore implements LinkageStore {
  readonly #db: SqlDriver;

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  async getTokenKey(): Promise<StoredTokenKey | undefined> {
    const row = (await this.#db.query<KeyRow>(`SELECT * FROM vault_linkage_keys WHERE id = 'token'`))[0];
    return row === undefined ? undefined : Object.freeze({ provider: row.provider, keyId: row.key_id, version: Number(row.key_version), wrapped: new Uint8Array(row.wrapped) });
  }

  async putTokenKey(key: StoredTokenKey, createdMs: number): Promise<StoredTokenKey> {
    await this.#db.query(
      `INSERT INTO vault_linkage_keys (id, provider, key_id, key_version, wrapped, created_ms) VALUES ('token', $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
      [key.provider, key.keyId, key.version, Buffer.from(key.wrapped), createdMs],
    );
    const stored = await this.getTokenKey();
    if (stored === undefined) throw new Error('token key vanished after insert');
    return stored;
  }

  async putEntries(entries: readonly { readonly token: string; readonly sealed: Uint8Array }[], createdMs: number): Promise<void> {
    // Multi-row inserts (500 rows a statement) in one transaction: one round trip per batch.
    await this.#db.transaction(async (q) => {
      for (let start = 0; start < entries.length; start += 500) {
        const batch = entries.slice(start, start + 500);
        const rows = batch.map((_, i) => `($${String(2 * i + 2)}, $${String(2 * i + 3)}, $1)`).join(', ');
        await q(`INSERT INTO vault_linkage_entries (token, sealed, created_ms) VALUES ${rows} ON CONFLICT (token) DO NOTHING`, [createdMs, ...batch.flatMap((e) => [e.token, Buffer.from(e.sealed)])]);
      }
    });
  }

  async getEntry(token: string): Promise<Uint8Array | undefined> {
    const row = (await this.#db.query<{ sealed: Uint8Array }>('SELECT sealed FROM vault_linkage_entries WHERE token = $1', [token]))[0];
    return row === undefined ? undefined : new Uint8Array(row.sealed);
  }

  async createRequest(r: ReidRequest): Promise<void> {
    await this.#db.query(
      'INSERT INTO vault_reid_requests (id, requester, purpose, tokens, created_ms, status, decided_by, decided_ms, reason, decision_reason, revealed_ms, withdrawn_ms) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)',
      [r.id, r.requester, r.purpose, JSON.stringify(r.tokens), r.createdMs, r.status, r.decidedBy, r.decidedMs, r.reason, r.decisionReason, r.revealedMs, r.withdrawnMs],
    );
  }

  async getRequest(id: string): Promise<ReidRequest | undefined> {
    const row = (await this.#db.query<RequestRow>('SELECT * FROM vault_reid_requests WHERE id = $1', [id]))[0];
    return row === undefined ? undefined : requestOf(row);
  }

  async listRequests(filter: ReidRequestFilter): Promise<readonly ReidRequest[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.requester !== undefined) {
      params.push(filter.requester);
      where.push(`requester = $${String(params.length)}`);
    }
    if (filter.statuses !== undefined) {
      const wanted = new Set(filter.statuses);
      const stored = [...wanted].filter((s) => s !== 'open' && s !== 'expired' && s !== 'approved' && s !== 'approval-expired');
      const any: string[] = [];
      if (stored.length > 0) {
        params.push(stored);
        any.push(`status = ANY($${String(params.length)}::text[])`);
      }
      // A status with a time limit splits at its cutoff: the later state when its time is before it.
      const split = (status: 'open' | 'approved', later: ReidState, column: string, cutoff: number | undefined): void => {
        if (wanted.has(status) && (wanted.has(later) || cutoff === undefined)) any.push(`status = '${status}'`);
        else if (cutoff !== undefined && (wanted.has(status) || wanted.has(later))) {
          params.push(cutoff);
          any.push(`(status = '${status}' AND ${column} ${wanted.has(status) ? '>=' : '<'} $${String(params.length)})`);
        }
      };
      split('open', 'expired', 'created_ms', filter.expiredBeforeMs);
      split('approved', 'approval-expired', 'decided_ms', filter.approvalExpiredBeforeMs);
      if (any.length === 0) return [];
      where.push(`(${any.join(' OR ')})`);
    }
    params.push(filter.limit);
    const sql = `SELECT * FROM vault_reid_requests ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY created_ms DESC, id DESC LIMIT $${String(params.length)}`;
    return (await this.#db.query<RequestRow>(sql, params)).map(requestOf);
  }

  async transition(id: string, from: ReidStatus, to: ReidStatus, by: string, atMs: number, note?: string): Promise<boolean> {
    const when = to === 'revealed' ? 'revealed_ms' : to === 'withdrawn' ? 'withdrawn_ms' : undefined;
    const rows =
      when !== undefined
        ? await this.#db.query<{ id: string }>(`UPDATE vault_reid_requests SET status = $3, ${when} = $4 WHERE id = $1 AND status = $2 RETURNING id`, [id, from, to, atMs])
        : await this.#db.query<{ id: string }>('UPDATE vault_reid_requests SET status = $3, decided_by = $4, decided_ms = $5, decision_reason = $6 WHERE id = $1 AND status = $2 RETURNING id', [id, from, to, by, atMs, note ?? null]);
    return rows.length === 1;
  }
}
