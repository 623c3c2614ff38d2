import { createHash } from 'node:crypto';
import { unsealBuffer, unsealStream } from '@phiguard/keys';
import type { BlobStore } from '../blob/blob-store.ts';
import { VaultError } from '../vault-error.ts';
import { manifestHash, parseManifest, type DatasetManifest } from './dataset-manifest.ts';
import type { VersionRecord } from './dataset-store.ts';
import { blobContext, type DatasetsOptions } from './datasets-context.ts';
import { decodeIndex, type IndexEntry } from './file-index.ts';

/** A version whose manifest hash and signature were checked and whose sealed index was opened. */
export interface OpenedVersion {
  readonly record: VersionRecord;
  readonly manifest: DatasetManifest;
  readonly files: readonly IndexEntry[];
}

/**
 * Checks a stored version before anything of it is used: the manifest text hashes to the stored
 * hash, a trusted key signed it, it names this dataset and version, and the blobs the store
 * indexes are exactly those of the manifest. Fails with `manifest-invalid` or `signature-invalid`.
 */
export function checkVersionRecord(record: VersionRecord, options: Pick<DatasetsOptions, 'verifiers'>): DatasetManifest {
  const bytes = Buffer.from(record.manifest, 'utf8');
  if (manifestHash(bytes) !== record.manifestHash) throw new VaultError('manifest-invalid', 'manifest does not match its recorded hash', { place: { index: record.version } });
  const verifier = options.verifiers.find((v) => v.keyId === record.signerKeyId);
  if (verifier === undefined || !verifier.verify(bytes, Buffer.from(record.signature, 'base64'))) {
    throw new VaultError('signature-invalid', 'manifest signature does not verify with a trusted key', { place: { index: record.version } });
  }
  const manifest = parseManifest(record.manifest);
  if (manifest.dataset !== record.datasetId || manifest.version !== record.version) {
    throw new VaultError('manifest-invalid', 'manifest names another dataset or version', { place: { index: record.version } });
  }
  const named = new Set([manifest.index.blob, ...manifest.files.map((f) => f.blob)]);
  if (named.size !== record.blobs.length || record.blobs.some((b) => !named.has(b))) {
    throw new VaultError('manifest-invalid', 'stored blob list differs from the manifest', { place: { index: record.version } });
  }
  return manifest;
}

export async function openVersion(record: VersionRecord, options: DatasetsOptions): Promise<OpenedVersion> {
  const manifest = checkVersionRecord(record, options);
  const sealed = await collect(options.blobs.get(manifest.index.blob));
  const index = await unsealBuffer(sealed, { providers: options.providers, expectContext: blobContext(record.datasetId, manifest.index.sealedIn, 'index') });
  const files = decodeIndex(index);
  const byBlob = new Map(manifest.files.map((f) => [f.blob, f]));
  if (files.length !== manifest.files.length || files.some((f) => !byBlob.has(f.blob))) {
    throw new VaultError('manifest-invalid', 'sealed index and manifest list different blobs', { place: { index: record.version } });
  }
  return Object.freeze({ record, manifest, files: Object.freeze(files) });
}

/**
 * The plaintext of one file of an opened version. Each frame is released only after it
 * authenticated (envelope format); at the end the plaintext digest must match the sealed index,
 * else the stream throws `blob-corrupt`. Callers that need all-or-nothing write to a temp file.
 */
export async function* readFile(opened: OpenedVersion, entry: IndexEntry, blobs: BlobStore, options: Pick<DatasetsOptions, 'providers'>): AsyncGenerator<Buffer> {
  const meta = opened.manifest.files.find((f) => f.blob === entry.blob);
  if (meta === undefined) throw new VaultError('not-found', 'file is not part of this version', { place: { path: entry.blob } });
  const hasher = createHash('sha256');
  let size = 0;
  for await (const chunk of unsealStream(blobs.get(entry.blob), { providers: options.providers, expectContext: blobContext(opened.record.datasetId, meta.sealedIn, 'file') })) {
    hasher.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  if (size !== entry.size || `sha256:${hasher.digest('hex')}` !== entry.sha256) {
    throw new VaultError('blob-corrupt', 'file content differs from the sealed index', { place: { path: entry.blob } });
  }
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  return Buffer.concat(parts);
}
