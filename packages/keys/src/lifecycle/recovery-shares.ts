import { combine, split } from 'shamir-secret-sharing';
import { KeysError } from '../keys-error.ts';

// Shamir secret sharing over GF(2^8) (`shamir-secret-sharing`, audited by Cure53 and Zellic).
// A share is shown as `pgks1-` + hex so it is recognisable and copy-paste safe.
const PREFIX = 'pgks1-';

/** Splits the recovery key into `shares` shares, any `threshold` of which recover it. */
export async function splitRecoveryKey(key: Uint8Array, shares: number, threshold: number): Promise<string[]> {
  if (!Number.isSafeInteger(shares) || !Number.isSafeInteger(threshold) || threshold < 2 || shares < threshold || shares > 255) {
    throw new TypeError('recovery needs 2 ≤ threshold ≤ shares ≤ 255');
  }
  // The library wants a plain Uint8Array (it refuses Buffer); copy, then zero the copy.
  const secret = new Uint8Array(key);
  const parts = await split(secret, shares, threshold);
  secret.fill(0);
  return parts.map((p) => PREFIX + Buffer.from(p).toString('hex'));
}

/** Decodes one `pgks1-…` share into its bytes (`index` names it in the error). */
export function parseRecoveryShare(share: string, index = 0): Uint8Array {
  const text = share.trim();
  if (!text.startsWith(PREFIX) || !/^[0-9a-f]+$/.test(text.slice(PREFIX.length))) {
    throw new KeysError('recovery-failed', 'not a PHIGuard recovery share', { place: { index } });
  }
  return new Uint8Array(Buffer.from(text.slice(PREFIX.length), 'hex'));
}

/** Combines shares into the recovery key. Too few or wrong shares give a key that opens nothing. */
export async function combineRecoveryShares(shares: readonly string[]): Promise<Buffer> {
  const parts = shares.map((s, index) => parseRecoveryShare(s, index));
  if (new Set(shares.map((s) => s.trim())).size !== shares.length) throw new KeysError('recovery-failed', 'the same share was given twice');
  return combineShareParts(parts);
}

/** Combines decoded shares (distinct) into the recovery key; the caller zeroes the parts. */
export async function combineShareParts(parts: readonly Uint8Array[]): Promise<Buffer> {
  try {
    return Buffer.from(await combine([...parts]));
  } catch (error) {
    throw new KeysError('recovery-failed', 'recovery shares do not fit together', { cause: error });
  }
}
