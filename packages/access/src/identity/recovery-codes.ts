import { randomBytes } from 'node:crypto';
import { secretHash } from './secret-hash.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Ten one-time recovery codes of 80 bits each, formatted `xxxx-xxxx-xxxx-xxxx`; store only their hashes. */
export function newRecoveryCodes(count = 10): { readonly codes: readonly string[]; readonly hashes: readonly string[] } {
  const codes = Array.from({ length: count }, () => {
    const bytes = randomBytes(16);
    const chars = Array.from(bytes, (b) => ALPHABET[b % 32] ?? '0').join('');
    return chars.match(/.{4}/g)?.join('-') ?? chars;
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

export function recoveryCodeHash(code: string): string {
  return secretHash(code.trim().toLowerCase().replace(/[^0-9a-z]/g, ''));
}
