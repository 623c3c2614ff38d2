import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '@phiguard/core';
import { KeysError } from '../keys-error.ts';
import { checkPrincipal } from './dual-control.ts';
import { parseRecoveryShare } from './recovery-shares.ts';

/** How long submitted shares wait for the rest (from the first share); then they are zeroed. */
export const RECOVERY_WINDOW_MS = 15 * 60 * 1000;

/** The shares gathered so far and who gave them; the caller zeroes `parts` when done. */
export interface CollectedShares {
  readonly parts: readonly Uint8Array[];
  readonly submitters: readonly string[];
}

/**
 * Recovery shares submitted one by one by different custodians (`phiguard keys recover --server`),
 * held only in this process's memory: never written, never logged. A custodian gives one share
 * per recovery (a second one is refused as self-approval: M shares must mean M people); the
 * window closes RECOVERY_WINDOW_MS after the first share, when every held share is zeroed.
 */
export class RecoveryCollector {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #held = new Map<string, Uint8Array>();
  #openedMs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(clock: Clock, windowMs = RECOVERY_WINDOW_MS) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  /** Shares held now (after dropping an expired window). */
  get received(): number {
    this.expire();
    return this.#held.size;
  }

  /** When the open window closes (undefined: no share held). */
  get expiresAtMs(): number | undefined {
    this.expire();
    return this.#held.size === 0 ? undefined : this.#openedMs + this.#windowMs;
  }

  /** Holds `custodian`'s share; returns how many are held. Refuses a second share from the same person and a share given twice. */
  add(custodian: string, share: string): number {
    checkPrincipal(custodian, 'custodian');
    this.expire();
    if (this.#held.has(custodian)) throw new KeysError('self-approval', 'each share must come from a different custodian; you already gave one', { place: { field: 'share' } });
    const part = parseRecoveryShare(share);
    for (const other of this.#held.values()) {
      if (other.length === part.length && timingSafeEqual(other, part)) {
        part.fill(0);
        throw new KeysError('recovery-failed', 'this share was already given by another custodian', { place: { field: 'share' } });
      }
    }
    if (this.#held.size === 0) {
      this.#openedMs = this.#clock.nowMs();
      // Zero the shares when the window closes even if nobody asks again.
      this.#timer = setTimeout(() => { this.expire(); }, this.#windowMs + 1000);
      this.#timer.unref();
    }
    this.#held.set(custodian, part);
    return this.#held.size;
  }

  /** Hands over every held share and forgets them (the caller zeroes the parts). */
  take(): CollectedShares {
    const taken = { parts: [...this.#held.values()], submitters: [...this.#held.keys()] };
    this.#held.clear();
    this.stopTimer();
    return taken;
  }

  /** Zeroes and forgets every held share. */
  clear(): void {
    for (const part of this.#held.values()) part.fill(0);
    this.#held.clear();
    this.stopTimer();
  }

  private expire(): void {
    if (this.#held.size > 0 && this.#clock.nowMs() - this.#openedMs >= this.#windowMs) this.clear();
  }

  private stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
