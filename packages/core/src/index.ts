export { BaseError, describePlace, isBaseError, type BaseErrorOptions, type Place } from './errors.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { encodeBase32, isId, newId, type Id } from './ids.ts';
export { asPhi, type Deidentified, type Phi } from './branded.ts';
export { CanonicalJsonError, canonicalJson, canonicalJsonBytes, type CanonicalJsonErrorCode, type JsonValue } from './canonical-json.ts';
export {
  ConfigError,
  deepFreeze,
  loadConfig,
  type ConfigErrorCode,
  type DatabaseConfig,
  type DeepPartial,
  type LedgerConfig,
  type LoadConfigOptions,
  type PhiguardConfig,
  type ServerConfig,
} from './config.ts';
export type { SiemSinkConfig } from './siem-config.ts';
export {
  SNP_PRODUCTS,
  validateAttestationConfig,
  type AttestationConfig,
  type NvidiaGpuAttestationConfig,
  type SevSnpAttestationConfig,
  type SnpProductName,
  type TdxAttestationConfig,
} from './compute-attestation-config.ts';
export { validateKubernetesComputeConfig, type KubernetesComputeConfig } from './compute-kubernetes-config.ts';
export { LINKAGE_CONFIG_BOUNDS, type LinkageConfig } from './linkage-config.ts';
export { syncFolder, tempSiblingPath, writeFileAtomic, type AtomicWriteOptions } from './atomic-write.ts';
