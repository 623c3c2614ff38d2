import { createHash } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

/**
 * The one HPKE suite key release uses (RFC 9180 §7): DHKEM(X25519, HKDF-SHA256) = 0x0020,
 * HKDF-SHA256 = 0x0001, AES-256-GCM = 0x0002, base mode (§5.1.1). Fixed, never negotiated.
 */
export const RELEASE_SUITE = Object.freeze({ kemId: 0x0020, kdfId: 0x0001, aeadId: 0x0002 });

/** A new cipher suite object for {@link RELEASE_SUITE}. */
export function releaseCipherSuite(): CipherSuite {
  return new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
}

/** X25519 public keys are 32 bytes (RFC 7748 §5; RFC 9180 §7.1 Npk). */
export const X25519_PUBLIC_KEY_BYTES = 32;

/**
 * The hash of a node's ephemeral public key that its evidence binds (REPORT_DATA =
 * SHA-512(nonce ‖ keyHash), see `reportDataBinding`): SHA-256 of the raw 32-byte key.
 */
export function nodeKeyHash(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_PUBLIC_KEY_BYTES) throw new TypeError('a node public key is 32 raw X25519 bytes');
  return new Uint8Array(createHash('sha256').update(publicKey).digest());
}

const encoder = new TextEncoder();

/**
 * HPKE `info` (RFC 9180 §5.1): binds the sealed keys to one job and one piece of evidence, so a
 * release cannot be replayed for another job or presented as the answer to other evidence.
 */
export function releaseInfo(jobId: string, evidenceHash: string): Uint8Array {
  return encoder.encode(`phiguard/key-release/v1\u0000job=${jobId}\u0000evidence=${evidenceHash}`);
}

/** HPKE `aad`: the ordered key ids, so the envelope's list of ids is authenticated too. */
export function releaseAad(jobId: string, keyIds: readonly string[]): Uint8Array {
  return encoder.encode(`phiguard/key-release/v1\u0000job=${jobId}\u0000keys=${keyIds.join(',')}`);
}
