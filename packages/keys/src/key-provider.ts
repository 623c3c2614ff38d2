/**
 * The KeyProvider port (ARCHITECTURE §2, keys): key-encryption keys (KEKs) live behind it, data
 * keys (DEKs) are generated, wrapped and unwrapped through it. Implementations: the local keystore
 * (`openKeyManager(...).provider`), PKCS#11 ({@link Pkcs11Provider}) and Vault transit
 * ({@link VaultTransitProvider}). NIST SP 800-171 3.13.10 (establish and manage keys).
 */
export interface KeyProvider {
  /** Provider code written into envelope headers, e.g. `local`, `pkcs11`, `vault-transit`. */
  readonly id: string;
  /** A fresh 32-byte DEK and its wrap under the newest version of `keyId`. */
  generateDataKey(keyId: string): Promise<DataKey>;
  /** Wraps a DEK under the newest version of `keyId`. */
  wrapDataKey(keyId: string, dataKey: Uint8Array): Promise<WrappedDataKey>;
  /** Unwraps; fails with a typed `KeysError` (`unknown-key`, `key-destroyed`, `version-below-minimum`, `unwrap-failed`, ...). */
  unwrapDataKey(wrapped: WrappedDataKey): Promise<Buffer>;
  /** Re-wraps under the newest version without revealing the DEK to the caller. */
  rewrapDataKey(wrapped: WrappedDataKey): Promise<WrappedDataKey>;
  describeKey(keyId: string): Promise<KeyMetadata>;
}

/** A DEK wrapped by a KEK version. Safe to store next to the data it protects. */
export interface WrappedDataKey {
  readonly provider: string;
  readonly keyId: string;
  readonly version: number;
  readonly wrapped: Uint8Array;
}

/** A plaintext DEK (zero it with `plaintext.fill(0)` when done) and its wrap. */
export interface DataKey {
  readonly plaintext: Buffer;
  readonly wrapped: WrappedDataKey;
}

export type KeyState = 'enabled' | 'disabled' | 'destroyed';

export interface KeyVersionInfo {
  readonly version: number;
  readonly createdAtMs: number;
  readonly destroyed: boolean;
}

export interface KeyMetadata {
  readonly provider: string;
  readonly keyId: string;
  readonly state: KeyState;
  readonly latestVersion: number;
  /** Versions below this one are refused for unwrapping (NIST SP 800-57 cryptoperiods). */
  readonly minDecryptVersion: number;
  readonly createdAtMs: number;
  readonly versions: readonly KeyVersionInfo[];
}

/** Key ids are references (lower-case codes or PHIGuard ids), never names of people. */
export const KEY_ID = /^[a-z][a-z0-9._-]{0,63}$/;

export const DATA_KEY_BYTES = 32;
