/** Capped exponential backoff. */
export interface BackoffPolicy {
  /** First delay, ms (default 200). */
  readonly initialMs: number;
  /** Ceiling, ms (default 30 000). */
  readonly maxMs: number;
  /** Growth per failed attempt (default 2). */
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 200, maxMs: 30_000, factor: 2 });

/**
 * Delay before retry number `attempt` (0-based): `min(maxMs, initialMs·factor^attempt)`, with
 * "equal jitter" (half fixed, half uniform random) so many shippers do not retry in lock-step
 * yet never retry at once. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new TypeError('attempt must be a non-negative integer');
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.min(attempt, 64));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
