/**
 * The `linkage` section: time limits of re-identification requests in the linkage vault
 * (docs/reidentification.md "Time limits"). Both are optional; absent settings keep the vault's
 * defaults (7 days, 24 hours).
 */
export interface LinkageConfig {
  /** How long an open request waits for a decision before it lapses (`expired`). */
  readonly openTtlMs?: number;
  /** How long after its approval a request may be revealed (afterwards `approval-expired`). */
  readonly revealWindowMs?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Bounds of each setting, inclusive. A reviewer needs at least an hour and a request should not
 * wait a quarter; an approval is for a prompt reveal (at least five minutes for the requester to
 * act, at most a week, so that approvals don't accumulate unused).
 */
export const LINKAGE_CONFIG_BOUNDS = {
  openTtlMs: { min: HOUR_MS, max: 90 * DAY_MS, label: '1 hour to 90 days' },
  revealWindowMs: { min: 5 * 60_000, max: 7 * DAY_MS, label: '5 minutes to 7 days' },
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates `linkage`; problems (each naming its setting) are appended. `undefined` when absent or invalid. */
export function validateLinkageConfig(raw: unknown, problems: string[]): LinkageConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push('linkage must be an object');
    return undefined;
  }
  const before = problems.length;
  const out: { openTtlMs?: number; revealWindowMs?: number } = {};
  for (const key of Object.keys(raw)) {
    if (key !== 'openTtlMs' && key !== 'revealWindowMs') {
      problems.push(`linkage.${key} is not a known setting (openTtlMs, revealWindowMs)`);
      continue;
    }
    const value = raw[key];
    const { min, max, label } = LINKAGE_CONFIG_BOUNDS[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`linkage.${key} must be a whole number of milliseconds from ${String(min)} to ${String(max)} (${label})`);
      continue;
    }
    out[key] = value;
  }
  return problems.length === before ? out : undefined;
}
