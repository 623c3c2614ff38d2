export { KEYS_ERROR_CODES, KeysError, type KeysErrorCode } from './keys-error.ts';
export {
  DATA_KEY_BYTES,
  KEY_ID,
  type DataKey,
  type KeyMetadata,
  type KeyProvider,
  type KeyState,
  type KeyVersionInfo,
  type WrappedDataKey,
} from './key-provider.ts';
export { encodeContext, decodeContext, MAX_CONTEXT_BYTES, MAX_CONTEXT_PAIRS, type EncryptionContext } from './envelope/encryption-context.ts';
export {
  DEFAULT_FRAME_SIZE,
  MAX_FRAME_SIZE,
  MIN_FRAME_SIZE,
  headerBytesNeeded,
  parseHeader,
  type EnvelopeHeader,
} from './envelope/envelope-header.ts';
export { sealBuffer, sealStream, type SealOptions } from './envelope/seal-stream.ts';
export { unsealBuffer, unsealStream, type UnsealStreamOptions } from './envelope/unseal-stream.ts';
export { sealTransform, unsealTransform } from './envelope/envelope-transforms.ts';
export type { UnsealOptions } from './envelope/open-header.ts';
export { bufferSource, fileSource, readFrameLayout, unsealFrames, type FrameLayout, type FrameRange, type RandomAccessSource } from './envelope/unseal-frames.ts';
export { rewrapEnvelopeHeader } from './envelope/rewrap-header.ts';
export { DEFAULT_ARGON2, readKeyFile, type Argon2Params, type KeystoreUnlock } from './local/keystore-file.ts';
export { LOCAL_PROVIDER_ID, LocalKeyProvider } from './local/local-key-provider.ts';
export { createMemoryKeyProvider } from './local/memory-key-provider.ts';
export { DUAL_CONTROL_OPERATIONS, type DualControlOperation } from './local/keystore-state.ts';
export { KeyManager, type ApprovalRequestView, type KeyManagerOptions, type RewrapResult } from './lifecycle/key-manager.ts';
export { initKeystore, openKeyManager, recoverKeystore, type InitKeystoreOptions } from './lifecycle/open-keystore.ts';
export { REQUEST_TTL_MS } from './lifecycle/dual-control.ts';
export { combineRecoveryShares, splitRecoveryKey } from './lifecycle/recovery-shares.ts';
export { decryptDataKey, issueDataKey, type DataKeyCaller } from './lifecycle/data-key-use.ts';
export { RECOVERY_WINDOW_MS, RecoveryCollector, type CollectedShares } from './lifecycle/recovery-collector.ts';
export { recoverKeystoreByCustodians, recoveryThreshold } from './lifecycle/custodian-recovery.ts';
export { PKCS11_PROVIDER_ID, Pkcs11Provider, type Pkcs11Options } from './pkcs11/pkcs11-provider.ts';
export { pkcs11Available } from './pkcs11/pkcs11-module.ts';
export { VAULT_TRANSIT_PROVIDER_ID, VaultTransitProvider, type VaultTransitOptions } from './vault-transit/vault-transit-provider.ts';
export { FileWrappedKeyStore, rewrapStore, type RewrapStoreReport, type WrappedKeyStore } from './lifecycle/rewrap-store.ts';
