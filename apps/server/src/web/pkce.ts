import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 7636 §4.1: a code verifier is 43 to 128 unreserved characters. */
export const CODE_VERIFIER_PATTERN = '^[A-Za-z0-9._~-]{43,128}$';
/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) without padding is 43 characters. */
export const S256_CHALLENGE_PATTERN = '^[A-Za-z0-9_-]{43}$';
/** The `state` of a loopback login (RFC 6749 §10.12): an unguessable nonce, base64url. */
export const LOGIN_STATE_PATTERN = '^[A-Za-z0-9_-]{22,128}$';

/** The S256 code challenge of a verifier (RFC 7636 §4.2). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A fresh verifier (32 random bytes, RFC 7636 §7.1), its S256 challenge, and a fresh state nonce. */
export function newLoopbackSecrets(): { readonly verifier: string; readonly challenge: string; readonly state: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier), state: randomBytes(24).toString('base64url') };
}

/** Equality of two short texts without an early exit on the first differing byte. */
export function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a === b;
}
