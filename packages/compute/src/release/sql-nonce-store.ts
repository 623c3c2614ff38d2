import { randomBytes } from 'node:crypto';
import type { SqlDriver } from '@phiguard/audit';
import type { NonceStore, NonceUse } from '../attestation/nonce-store.ts';

/**
 * {@link NonceStore} in the compute database (PGlite or PostgreSQL), so that a replayed challenge
 * is refused across control-plane processes and restarts. Same semantics as `MemoryNonceStore`:
 * a nonce is spent by one atomic UPDATE (two racing presentations: one `fresh`, one `replayed`),
 * and forgotten once its TTL has passed (then a presentation is `unknown`).
 */
export class SqlNonceStore implements NonceStore {
  readonly #db: SqlDriver;
  readonly #ttlMs: number;
  readonly #bytes: number;

  constructor(db: SqlDriver, options: { readonly ttlMs: number; readonly bytes?: number }) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0) throw new TypeError('ttlMs must be a positive integer');
    this.#bytes = options.bytes ?? 32;
    if (!Number.isInteger(this.#bytes) || this.#bytes < 16 || this.#bytes > 64) throw new TypeError('bytes must be 16..64');
    this.#db = db;
    this.#ttlMs = options.ttlMs;
  }

  async issue(now: Date): Promise<Uint8Array> {
    const nonce = new Uint8Array(randomBytes(this.#bytes));
    await this.#db.query('DELETE FROM compute_nonces WHERE expires_ms < $1', [now.getTime()]);
    await this.#db.query('INSERT INTO compute_nonces (nonce, expires_ms) VALUES ($1, $2)', [Buffer.from(nonce).toString('hex'), now.getTime() + this.#ttlMs]);
    return nonce;
  }

  async consume(nonce: Uint8Array, now: Date): Promise<NonceUse> {
    const key = Buffer.from(nonce).toString('hex');
    const spent = await this.#db.query('UPDATE compute_nonces SET spent = true WHERE nonce = $1 AND NOT spent AND expires_ms >= $2 RETURNING nonce', [key, now.getTime()]);
    if (spent.length === 1) return 'fresh';
    const [row] = await this.#db.query<{ spent: boolean; expires_ms: string | number }>('SELECT spent, expires_ms FROM compute_nonces WHERE nonce = $1', [key]);
    if (row === undefined) return 'unknown';
    return row.spent ? 'replayed' : 'expired';
  }
}
