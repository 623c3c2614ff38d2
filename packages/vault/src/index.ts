export { VAULT_ERROR_CODES, VaultError, type VaultErrorCode } from './vault-error.ts';
// BlobStore port and its implementations.
export { BLOB_HASH, lockForbidsDelete, mergeLock, NO_LOCK, type BlobHash, type BlobInfo, type BlobLock, type BlobStore, type DeleteResult, type PutOptions, type PutResult } from './blob/blob-store.ts';
export { FsBlobStore } from './blob/fs-blob-store.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './blob/s3-blob-store.ts';
