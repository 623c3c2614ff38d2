import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

/** An id of a known kind, e.g. `Id<'ds'>` for datasets. Branded so kinds cannot be mixed up. */
export type Id<K extends string> = string & { readonly __idKind: K };

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const PREFIX = /^[a-z][a-z0-9]{0,15}$/;

/**
 * A new id `prefix_` + 26 Crockford base32 characters: 48 bits of milliseconds (so ids sort by
 * creation time, as ULIDs do) and 80 random bits. Ids never carry data, so they are safe in logs.
 */
export function newId<K extends string>(prefix: K, clock: Clock): Id<K> {
  if (!PREFIX.test(prefix)) throw new TypeError('id prefix must be 1-16 lowercase letters or digits, starting with a letter');
  const ms = clock.nowMs();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new TypeError('clock time out of range for an id');
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(ms, 0, 6);
  randomBytes(10).copy(bytes, 6);
  return `${prefix}_${encodeBase32(bytes).slice(0, 26)}` as Id<K>;
}

/** True when `value` looks like an id made by {@link newId} with this prefix. */
export function isId<K extends string>(prefix: K, value: unknown): value is Id<K> {
  return typeof value === 'string' && new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`).test(value);
}

/** Crockford base32 (lowercase, no padding), most significant bit first. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD.charAt((buffer >>> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD.charAt((buffer << (5 - bits)) & 31);
  return out;
}
