import type { SqlDriver } from '@phiguard/audit';
import { ComputeError } from '../compute-error.ts';

/** One chunk of a job's log as stored: already scanned, identifiers redacted. */
export interface StoredLogChunk {
  readonly seq: number;
  readonly attempt: number;
  readonly text: string;
  /** How many seeded identifiers were redacted from this chunk. */
  readonly flagged: number;
  readonly createdMs: number;
}

/**
 * Dispatch's own tables (compute migration 3): the binding of a node to the service account its
 * agent authenticates as, and job logs after redaction. Same SQL on PGlite and PostgreSQL.
 */
export class AgentStore {
  readonly #db: SqlDriver;

  constructor(db: SqlDriver) {
    this.#db = db;
  }

  /** Binds `nodeId` to `serviceAccountId` (one account per node, one node per account). */
  async bind(nodeId: string, serviceAccountId: string, nowMs: number): Promise<void> {
    const rows = await this.#db.query(
      `INSERT INTO compute_agents (node_id, service_account_id, registered_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING node_id`,
      [nodeId, serviceAccountId, nowMs],
    );
    if (rows.length === 0) throw new ComputeError('conflict', 'the node or the service account is already bound', { place: { field: 'serviceAccount' } });
  }

  async nodeOf(serviceAccountId: string): Promise<string | undefined> {
    const [row] = await this.#db.query<{ node_id: string }>('SELECT node_id FROM compute_agents WHERE service_account_id = $1', [serviceAccountId]);
    return row?.node_id;
  }

  async accountOf(nodeId: string): Promise<{ serviceAccountId: string; lastSeenMs: number | undefined } | undefined> {
    const [row] = await this.#db.query<{ service_account_id: string; last_seen_ms: string | number | null }>('SELECT service_account_id, last_seen_ms FROM compute_agents WHERE node_id = $1', [nodeId]);
    return row === undefined ? undefined : { serviceAccountId: row.service_account_id, lastSeenMs: row.last_seen_ms === null ? undefined : Number(row.last_seen_ms) };
  }

  async touch(nodeId: string, nowMs: number): Promise<void> {
    await this.#db.query('UPDATE compute_agents SET last_seen_ms = $2 WHERE node_id = $1', [nodeId, nowMs]);
  }

  /** Appends a chunk; the sequence number is the next one for the job. */
  async appendLog(jobId: string, attempt: number, text: string, flagged: number, nowMs: number): Promise<number> {
    return this.#db.transaction(async (q) => {
      await q('SELECT id FROM compute_jobs WHERE id = $1 FOR UPDATE', [jobId]);
      const [row] = await q<{ next: string | number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM compute_job_logs WHERE job_id = $1', [jobId]);
      const seq = Number(row?.next ?? 1);
      await q('INSERT INTO compute_job_logs (job_id, seq, attempt, text, flagged, created_ms) VALUES ($1, $2, $3, $4, $5, $6)', [jobId, seq, attempt, text, flagged, nowMs]);
      return seq;
    });
  }

  async logs(jobId: string): Promise<StoredLogChunk[]> {
    const rows = await this.#db.query<{ seq: number; attempt: number; text: string; flagged: number; created_ms: string | number }>(
      'SELECT seq, attempt, text, flagged, created_ms FROM compute_job_logs WHERE job_id = $1 ORDER BY seq',
      [jobId],
    );
    return rows.map((r) => Object.freeze({ seq: r.seq, attempt: r.attempt, text: r.text, flagged: r.flagged, createdMs: Number(r.created_ms) }));
  }
}
