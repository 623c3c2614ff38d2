import type { Baa } from './catalog-types.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Milliseconds of 00:00 UTC of a `YYYY-MM-DD` day, or undefined when it is not a real date. */
export function dayStartMs(day: string): number | undefined {
  if (!DAY.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? undefined : ms;
}

/**
 * Is a BAA in force at `now`? Signed, effective, not expired (HIPAA §164.502(e), §164.504(e)).
 * A signed BAA without an effective date is not in force: the date is part of the agreement.
 */
export function baaInForce(baa: Baa, now: Date): boolean {
  if (baa.status !== 'signed' || baa.effectiveOn === undefined) return false;
  const from = dayStartMs(baa.effectiveOn);
  if (from === undefined || now.getTime() < from) return false;
  if (baa.expiresOn === undefined) return true;
  const until = dayStartMs(baa.expiresOn);
  return until !== undefined && now.getTime() < until;
}
