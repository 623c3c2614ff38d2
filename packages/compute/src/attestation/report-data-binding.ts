import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The 64-byte REPORT_DATA that binds evidence to a verifier's fresh nonce and the node's
 * ephemeral key: SHA-512(nonce ‖ keyHash). The same layout is used by SEV-SNP (REPORT_DATA,
 * ABI spec Table 23) and TDX (REPORTDATA, TDX Module ABI §3.3) evidence (docs/compute/attestation.md).
 */
export function reportDataBinding(nonce: Uint8Array, keyHash: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(nonce).update(keyHash).digest());
}

/** Constant-time equality for equal-length byte strings; false when lengths differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
