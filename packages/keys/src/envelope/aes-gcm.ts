import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

// The only AES-GCM calls of the envelope (NIST SP 800-38D): 256-bit keys, 96-bit nonces,
// 128-bit tags. Tested against Wycheproof aes_gcm_test.json (aes-gcm.test.ts). Pass a KeyObject
// when one key serves many calls: Node 24 re-imports a Buffer key on every createCipheriv.
export const GCM_TAG_BYTES = 16;

/** Encrypts `pieces` as one message; returns ciphertext pieces then the tag, never concatenated. */
export function gcmSeal(key: Buffer | KeyObject, nonce: Buffer, aad: Buffer, pieces: readonly Buffer[]): Buffer[] {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const out: Buffer[] = [];
  for (const piece of pieces) out.push(cipher.update(piece));
  const last = cipher.final();
  if (last.length > 0) out.push(last);
  out.push(cipher.getAuthTag());
  return out;
}

/** Decrypts; returns the plaintext pieces only if the tag verifies, else `undefined` (pieces zeroed). */
export function gcmOpen(key: Buffer | KeyObject, nonce: Buffer, aad: Buffer, pieces: readonly Buffer[], tag: Buffer): Buffer[] | undefined {
  if (tag.length !== GCM_TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const out: Buffer[] = [];
  for (const piece of pieces) out.push(decipher.update(piece));
  try {
    const last = decipher.final();
    if (last.length > 0) out.push(last);
  } catch {
    for (const o of out) o.fill(0);
    return undefined;
  }
  return out;
}
