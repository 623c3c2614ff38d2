import { randomBytes } from 'node:crypto';

/** Outcome of presenting a nonce: fresh (and now spent), never issued, past its TTL, or already used. */
export type NonceUse = 'fresh' | 'unknown' | 'expired' | 'replayed';

/**
 * Where verifier challenges live. A nonce is issued once, may be consumed once within its TTL,
 * and a second presentation is a replay. Implementations: {@link MemoryNonceStore}; a PostgreSQL
 * one belongs to the control plane.
 */
export interface NonceStore {
  issue(now: Date): Promise<Uint8Array>;
  consume(nonce: Uint8Array, now: Date): Promise<NonceUse>;
}

/** In-memory {@link NonceStore} (one process). Spent nonces are remembered until their TTL ends. */
export class MemoryNonceStore implements NonceStore {
  readonly #ttlMs: number;
  readonly #bytes: number;
  readonly #issued = new Map<string, { expires: number; spent: boolean }>();

  constructor(options: { readonly ttlMs: number; readonly bytes?: number }) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0) throw new TypeError('ttlMs must be a positive integer');
    this.#ttlMs = options.ttlMs;
    this.#bytes = options.bytes ?? 32;
    if (!Number.isInteger(this.#bytes) || this.#bytes < 16 || this.#bytes > 64) throw new TypeError('bytes must be 16..64');
  }

  issue(now: Date): Promise<Uint8Array> {
    this.#sweep(now.getTime());
    const nonce = new Uint8Array(randomBytes(this.#bytes));
    this.#issued.set(Buffer.from(nonce).toString('hex'), { expires: now.getTime() + this.#ttlMs, spent: false });
    return Promise.resolve(nonce);
  }

  consume(nonce: Uint8Array, now: Date): Promise<NonceUse> {
    const key = Buffer.from(nonce).toString('hex');
    const entry = this.#issued.get(key);
    let use: NonceUse;
    if (entry === undefined) use = 'unknown';
    else if (entry.spent) use = 'replayed';
    else if (now.getTime() > entry.expires) use = 'expired';
    else {
      entry.spent = true;
      use = 'fresh';
    }
    this.#sweep(now.getTime());
    return Promise.resolve(use);
  }

  /** Number of nonces remembered (issued or spent, not yet past TTL). */
  get size(): number {
    return this.#issued.size;
  }

  #sweep(now: number): void {
    // A spent nonce is kept until its TTL ends so that a replay inside the window is recognised;
    // after it, the nonce would be refused as unknown anyway.
    for (const [key, entry] of this.#issued) if (now > entry.expires) this.#issued.delete(key);
  }
}
