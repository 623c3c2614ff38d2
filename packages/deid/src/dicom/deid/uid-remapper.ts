import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { DeidKey } from '../../context/patient-context.ts';

/**
 * Replaces a UID by `2.25.` + the decimal of a keyed value (PS3.5 §B.2: UUID-derived UIDs;
 * PS3.15 §E.3.9 for what must stay consistent). HMAC-SHA-256 of the original under an HKDF
 * subkey (RFC 5869, info `phiguard/deid/v1/dicom-uid`), truncated to 128 bits: the same UID gets
 * the same replacement in every file and run with the same key, so study/series structure and
 * references are preserved, and nobody without the key can reverse or link them.
 */
export function createUidRemapper(key: DeidKey): (uid: string) => string {
  const subkey = createSecretKey(Buffer.from(hkdfSync('sha256', key.secret, Buffer.alloc(0), 'phiguard/deid/v1/dicom-uid', 32)));
  const cache = new Map<string, string>();
  return (uid) => {
    const known = cache.get(uid);
    if (known !== undefined) return known;
    const mac = createHmac('sha256', subkey).update(uid, 'latin1').digest();
    const mapped = `2.25.${BigInt(`0x${mac.subarray(0, 16).toString('hex')}`).toString(10)}`;
    if (cache.size >= 100_000) cache.clear();
    cache.set(uid, mapped);
    return mapped;
  };
}
