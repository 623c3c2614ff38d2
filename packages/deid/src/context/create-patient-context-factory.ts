import type { DeidKey, PatientContext, PatientContextFactory, PatientIdentity } from './patient-context.ts';
import { DeidError } from './deid-error.ts';
import { base32Head } from './base32-head.ts';
import { deriveHmacKey, hmac } from './deid-key.ts';
import { isPrintableAscii, normalizeIdentity } from './normalize-identity.ts';
import { shiftIsoDate } from './shift-iso-date.ts';
import { TwoKeyCache } from './two-key-cache.ts';
import { uint64Mod } from './uint64-mod.ts';

export interface PatientContextOptions {
  /** Pseudonym prefix before the dash: 1-8 of `A-Z0-9`, starting with a letter. Default `PG`. */
  readonly pseudonymPrefix?: string;
  /** Crockford base32 characters after the dash, 16-52 (80-260 bits of the HMAC). Default 26. */
  readonly pseudonymLength?: number;
  /** Largest |shift| in days, 7-3650. Default 365. A shift is never 0. */
  readonly dateShiftWindowDays?: number;
  /** Shift by whole weeks only, so every date keeps its weekday. Default false. */
  readonly preserveWeekday?: boolean;
}

const PREFIX = /^[A-Z][A-Z0-9]{0,7}$/;
/** Entries of each cache (patients, `pseudonymFor` values) before it starts again empty. */
const CACHE_MAX = 100_000;

/**
 * The one place pseudonyms and date shifts come from (docs/deid/patient-context.md): both are
 * HMAC-SHA-256 under purpose-bound subkeys of the de-identification key over the normalized
 * identity, so the same patient gets the same values in every format, file and run, and nobody
 * without the key can link or reverse them.
 */
export function createPatientContextFactory(key: DeidKey, options: PatientContextOptions = {}): PatientContextFactory {
  const prefix = options.pseudonymPrefix ?? 'PG';
  const length = options.pseudonymLength ?? 26;
  const window = options.dateShiftWindowDays ?? 365;
  const step = options.preserveWeekday === true ? 7 : 1;
  if (!PREFIX.test(prefix)) throw new TypeError('pseudonymPrefix must be 1-8 of A-Z0-9 starting with a letter');
  if (!Number.isInteger(length) || length < 16 || length > 52) throw new TypeError('pseudonymLength must be an integer 16-52');
  if (!Number.isInteger(window) || window < 7 || window > 3650) throw new TypeError('dateShiftWindowDays must be an integer 7-3650');
  if (key.secret.length !== 32) throw new DeidError('invalid-key', 'a de-identification key must be 32 bytes');

  const pseudonymKey = deriveHmacKey(key.secret, 'pseudonym');
  const pseudonymForKey = deriveHmacKey(key.secret, 'pseudonym-for');
  const shiftKey = deriveHmacKey(key.secret, 'date-shift');
  const head = `${prefix}-`;
  const format = (mac: Buffer): string => base32Head(mac, length, head);
  // Non-zero multiples of `step` in [-window, window]: half negative, half positive.
  const half = Math.floor(window / step);
  const uncachedPseudonymFor = (kind: string, value: string): string => {
    // Printable ASCII is its own NFC form with nothing to trim (normalize-identity.ts): no ICU call (hot).
    const k = isPrintableAscii(kind) ? kind.toLowerCase() : kind.trim().toLowerCase();
    const v = isPrintableAscii(value) ? value : value.normalize('NFC').trim();
    if (k === '' || v === '') throw new TypeError('pseudonymFor needs a kind and a non-empty value');
    return format(hmac(pseudonymForKey, k, v));
  };
  // Keyed by the caller's spelling: the result is a function of it, so a hit skips the normal form.
  const forCache = new TwoKeyCache<string>(CACHE_MAX);
  const pseudonymFor = (kind: string, value: string): string => {
    let p = forCache.get(kind, value);
    if (p === undefined) forCache.set(kind, value, (p = uncachedPseudonymFor(kind, value)));
    return p;
  };
  const cache = new TwoKeyCache<PatientContext>(CACHE_MAX);

  return Object.freeze({
    keyId: key.id,
    forPatient(identity: PatientIdentity): PatientContext {
      const normal = normalizeIdentity(identity);
      const known = cache.get(normal.system, normal.value);
      if (known !== undefined) return known;
      const index = uint64Mod(hmac(shiftKey, normal.system, normal.value), 2 * half);
      const dateShiftDays = (index < half ? index - half : index - half + 1) * step;
      const context: PatientContext = Object.freeze({
        pseudonym: format(hmac(pseudonymKey, normal.system, normal.value)),
        dateShiftDays,
        shiftIsoDate: (value: string) => shiftIsoDate(value, dateShiftDays),
        pseudonymFor,
        uncachedPseudonymFor,
      });
      cache.set(normal.system, normal.value, context);
      return context;
    },
  });
}
