import type { DeidKey, PatientContext, PatientContextFactory, PatientIdentity } from './patient-context.ts';
import { DeidError } from './deid-error.ts';
import { deriveHmacKey, hmac } from './deid-key.ts';
import { normalizeIdentity } from './normalize-identity.ts';
import { shiftIsoDate } from './shift-iso-date.ts';

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
const NON_ASCII = /[^\x00-\x7F]/;
const CROCKFORD_UPPER = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The first `chars` characters of the upper-case Crockford base32 of `bytes` (one per pseudonym:
 * hot). Base32 is a stream: the same characters as `encodeBase32(bytes).slice(0, chars)` upper-cased,
 * reading only the bytes they are made of (`bytes` must hold 5 × chars bits).
 */
export function base32Head(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; out.length < chars; ) {
    if (bits < 5) {
      buffer = ((buffer << 8) | (bytes[i++] ?? 0)) & 0xffff;
      bits += 8;
    }
    bits -= 5;
    out += CROCKFORD_UPPER.charAt((buffer >>> bits) & 31);
  }
  return out;
}

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
  const format = (mac: Buffer): string => `${prefix}-${base32Head(mac, length)}`;
  // Non-zero multiples of `step` in [-window, window]: half negative, half positive.
  const half = Math.floor(window / step);
  const forCache = new Map<string, string>();
  const pseudonymFor = (kind: string, value: string): string => {
    const k = kind.trim().toLowerCase();
    // ASCII is its own NFC form: skip the ICU call for it (ids and references, hot).
    const v = (NON_ASCII.test(value) ? value.normalize('NFC') : value).trim();
    if (k === '' || v === '') throw new TypeError('pseudonymFor needs a kind and a non-empty value');
    const cacheKey = `${k}\0${v}`;
    const known = forCache.get(cacheKey);
    if (known !== undefined) return known;
    const p = format(hmac(pseudonymForKey, k, v));
    if (forCache.size >= 100_000) forCache.clear();
    forCache.set(cacheKey, p);
    return p;
  };
  const cache = new Map<string, PatientContext>();

  return Object.freeze({
    keyId: key.id,
    forPatient(identity: PatientIdentity): PatientContext {
      const normal = normalizeIdentity(identity);
      const cacheKey = `${normal.system}\0${normal.value}`;
      const known = cache.get(cacheKey);
      if (known !== undefined) return known;
      const r = hmac(shiftKey, normal.system, normal.value).readBigUInt64BE(0) % BigInt(2 * half);
      const index = Number(r);
      const dateShiftDays = (index < half ? index - half : index - half + 1) * step;
      const context: PatientContext = Object.freeze({
        pseudonym: format(hmac(pseudonymKey, normal.system, normal.value)),
        dateShiftDays,
        shiftIsoDate: (value: string) => shiftIsoDate(value, dateShiftDays),
        pseudonymFor,
      });
      if (cache.size >= 100_000) cache.clear();
      cache.set(cacheKey, context);
      return context;
    },
  });
}
