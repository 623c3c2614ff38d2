export { VAULT_ERROR_CODES, VaultError, type VaultErrorCode } from './vault-error.ts';
// BlobStore port and its implementations.
export { BLOB_HASH, lockForbidsDelete, mergeLock, NO_LOCK, type BlobHash, type BlobInfo, type BlobLock, type BlobStore, type DeleteResult, type PutOptions, type PutResult } from './blob/blob-store.ts';
export { FsBlobStore } from './blob/fs-blob-store.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './blob/s3-blob-store.ts';
// Datasets: metadata port, SQL store, manifests, signer, service.
export type { DatasetRecord, DatasetStore, VersionRecord } from './datasets/dataset-store.ts';
export { MANIFEST_FORMAT, manifestBytes, manifestHash, parseManifest, type DatasetManifest, type ManifestBlob } from './datasets/dataset-manifest.ts';
export { ed25519KeyIdOf, ed25519ManifestSigner, ed25519ManifestVerifier, generateManifestSigner, loadOrCreateManifestSigner, type ManifestSigner, type ManifestVerifier } from './datasets/manifest-signer.ts';
export { blobContext, DATASET_NAME, type DatasetsOptions, type ProgressListener } from './datasets/datasets-context.ts';
export { checkFileName, type IndexEntry } from './datasets/file-index.ts';
export { collect, type OpenedVersion } from './datasets/version-reader.ts';
export type { AddVersionInput, NewFile } from './datasets/version-writer.ts';
export { Datasets, type CreateDatasetInput, type GcReport, type VerifyProblem, type VerifyReport } from './datasets/datasets.ts';
export { openVaultDatabase, type VaultDatabaseOptions } from './sql/open-vault-database.ts';
export { SqlDatasetStore } from './sql/sql-dataset-store.ts';
// Linkage vault.
export { REID_STATES, type LinkageStore, type ReidRequest, type ReidRequestFilter, type ReidState, type ReidStatus, type StoredTokenKey } from './linkage/linkage-store.ts';
export { DEFAULT_OPEN_TTL_MS, DEFAULT_REVEAL_WINDOW_MS, LINKAGE_TOKEN, LinkageVault, type LinkageVaultOptions, type RevealedValue } from './linkage/linkage-vault.ts';
export { linkageVaultTimes } from './linkage/linkage-vault-times.ts';
export { MemoryLinkageStore } from './linkage/memory-linkage-store.ts';
export { SqlLinkageStore } from './sql/sql-linkage-store.ts';
