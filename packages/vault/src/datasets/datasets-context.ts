import type { AuditRecorder } from '@phiguard/audit';
import type { Clock } from '@phiguard/core';
import type { EncryptionContext, KeyProvider } from '@phiguard/keys';
import type { BlobStore } from '../blob/blob-store.ts';
import type { DatasetStore } from './dataset-store.ts';
import type { ManifestSigner, ManifestVerifier } from './manifest-signer.ts';

/** What the datasets service is wired with (all outside systems are ports). */
export interface DatasetsOptions {
  readonly store: DatasetStore;
  readonly blobs: BlobStore;
  /** Providers that hold dataset KEKs; a dataset names its provider by id. */
  readonly providers: readonly KeyProvider[];
  readonly signer: ManifestSigner;
  /** Keys whose manifest signatures are accepted (include the signer's own verifier). */
  readonly verifiers: readonly ManifestVerifier[];
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  /** Envelope frame size for new blobs (default: the keys package's 256 KiB). */
  readonly frameSize?: number;
}

/** Progress of a long operation, for the CLI's bars: which file and how many of its bytes. */
export type ProgressListener = (event: { readonly file: number; readonly bytes: number; readonly done: boolean }) => void;

/** The encryption context of a dataset blob (docs/formats/dataset-manifest.md §3): references only. */
export function blobContext(datasetId: string, version: number, part: 'file' | 'index'): EncryptionContext {
  return { dataset: datasetId, version: `v${String(version)}`, part };
}

export const DATASET_NAME = /^[a-z][a-z0-9._-]{0,63}$/;
