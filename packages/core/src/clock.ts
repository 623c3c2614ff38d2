/** The only source of time. Injected everywhere so tests can pin it (certificates, TOTP, retention). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  now(): Date;
}

export const systemClock: Clock = Object.freeze({
  nowMs: () => Date.now(),
  now: () => new Date(),
});

/** A clock that moves only when told to. For tests and replays. */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start: Date | number = 0) {
    this.#ms = typeof start === 'number' ? start : start.getTime();
  }

  nowMs(): number {
    return this.#ms;
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError('ManualClock.advance needs a finite, non-negative number');
    this.#ms += ms;
  }

  set(at: Date | number): void {
    this.#ms = typeof at === 'number' ? at : at.getTime();
  }
}
