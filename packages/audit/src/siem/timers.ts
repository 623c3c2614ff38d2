import { setTimeout as delay } from 'node:timers/promises';

/** Waiting, injected so tests run backoffs instantly and deterministically. */
export interface Timers {
  /** Resolves after `ms`, or early (never rejecting) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemTimers: Timers = Object.freeze({
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      await delay(ms, undefined, { signal });
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError')) throw error;
    }
  },
});
