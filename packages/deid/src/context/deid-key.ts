import { createHash, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { DeidKey } from './patient-context.ts';
import { DeidError } from './deid-error.ts';
import { HmacSha256Pads, SHORT_MESSAGE_UNITS } from './hmac-sha256-pads.ts';

/** Length in bytes of a de-identification key secret. */
export const DEID_KEY_BYTES = 32;

/**
 * Purpose-bound subkeys (RFC 5869 HKDF-SHA-256, info = purpose), so one key never serves two
 * uses: a pseudonym can never be confused with a date shift or a crypto hash.
 */
export type DeidKeyPurpose = 'pseudonym' | 'pseudonym-for' | 'date-shift' | 'crypto-hash' | 'key-id';

export function deriveSubkey(secret: Uint8Array, purpose: DeidKeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `phiguard/deid/v1/${purpose}`, 32));
}

/** Precomputed pad states of the subkeys made by {@link deriveHmacKey} (held as long as the key object). */
const PADS = new WeakMap<KeyObject, HmacSha256Pads>();

/**
 * The subkey as a KeyObject, so each HMAC does not import the key again; its HMAC pad states are
 * computed here once, for {@link hmac}'s short-message path.
 */
export function deriveHmacKey(secret: Uint8Array, purpose: DeidKeyPurpose): KeyObject {
  const subkey = deriveSubkey(secret, purpose);
  const key = createSecretKey(subkey);
  PADS.set(key, new HmacSha256Pads(subkey));
  subkey.fill(0);
  return key;
}

/**
 * Wraps a 32-byte secret as a {@link DeidKey}. The id is `sha256:` + hex of SHA-256 over the
 * key's public derivation (HKDF purpose `key-id`), never the key itself, so it can go into
 * manifests and the audit ledger.
 */
export function deidKeyFromSecret(secret: Uint8Array): DeidKey {
  if (!(secret instanceof Uint8Array) || secret.length !== DEID_KEY_BYTES) {
    throw new DeidError('invalid-key', `a de-identification key must be ${DEID_KEY_BYTES} bytes`, {
      hint: 'create one with `phiguard deid ... ` (it writes .phiguard/deid.key) or 32 random bytes',
    });
  }
  const publicDerivation = deriveSubkey(secret, 'key-id');
  const id = `sha256:${createHash('sha256').update(publicDerivation).digest('hex')}`;
  return Object.freeze({ id, secret: Uint8Array.from(secret) });
}

/**
 * HMAC-SHA-256 (RFC 2104) of the UTF-8 parts joined by NUL, which cannot occur in any part's normal
 * form. Pass a KeyObject from {@link deriveHmacKey}: a short message (pseudonyms, date shifts: an
 * identity or an id) is then MACed from the key's precomputed inner and outer pad states in
 * JavaScript ({@link HmacSha256Pads}, 2.5x less CPU than `createHmac`, the same bytes); a longer
 * one, or another key, goes through `createHmac` (a raw key is imported again on every call, about
 * 7x slower than a KeyObject). Precomputed states cloned with `Hash.copy()` were measured slower
 * than `createHmac` (two native objects per MAC); computing in JavaScript is what pays.
 */
export function hmac(subkey: KeyObject | Uint8Array, ...parts: readonly string[]): Buffer {
  // One message: the same bytes as part, NUL, part, ...
  const message = parts.join('\0');
  if (!(subkey instanceof Uint8Array) && message.length <= SHORT_MESSAGE_UNITS) {
    const pads = PADS.get(subkey);
    if (pads !== undefined) return pads.mac(message);
  }
  return createHmac('sha256', subkey).update(message, 'utf8').digest();
}
