import type { Clock } from '@phiguard/core';

export interface FailureLimit {
  /** Failures allowed per key within the window; the next attempt is refused. */
  readonly max: number;
  readonly windowMs: number;
}

export const DEFAULT_FAILURE_LIMIT: FailureLimit = Object.freeze({ max: 30, windowMs: 60_000 });

/**
 * Counts authentication failures per key (a client address) in a fixed window, so one source
 * cannot try passwords or codes across many accounts (the per-account lockout stops attacks on
 * one). In memory, per server process.
 */
export class FailureLimiter {
  readonly #clock: Clock;
  readonly #limit: FailureLimit;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(clock: Clock, limit: FailureLimit = DEFAULT_FAILURE_LIMIT) {
    this.#clock = clock;
    this.#limit = limit;
  }

  blocked(key: string): boolean {
    const w = this.#windows.get(key);
    return w !== undefined && this.#clock.nowMs() - w.start < this.#limit.windowMs && w.count >= this.#limit.max;
  }

  fail(key: string): void {
    const now = this.#clock.nowMs();
    const w = this.#windows.get(key);
    if (w === undefined || now - w.start >= this.#limit.windowMs) {
      if (this.#windows.size > 100_000) this.#prune(now);
      this.#windows.set(key, { start: now, count: 1 });
    } else {
      w.count++;
    }
  }

  #prune(now: number): void {
    for (const [key, w] of this.#windows) if (now - w.start >= this.#limit.windowMs) this.#windows.delete(key);
  }
}
