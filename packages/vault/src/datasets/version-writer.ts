import { createHash } from 'node:crypto';
import { sealBuffer, sealStream, type KeyProvider } from '@phiguard/keys';
import type { PutOptions } from '../blob/blob-store.ts';
import { VaultError } from '../vault-error.ts';
import { MANIFEST_FORMAT, manifestBytes, manifestHash, type DatasetManifest, type ManifestBlob } from './dataset-manifest.ts';
import type { DatasetRecord, VersionRecord } from './dataset-store.ts';
import { blobContext, type DatasetsOptions, type ProgressListener } from './datasets-context.ts';
import { checkFileName, encodeIndex, type IndexEntry } from './file-index.ts';
import { openVersion } from './version-reader.ts';

/** A file to add: its name inside the dataset (may be PHI: it is only ever stored sealed) and its bytes. */
export interface NewFile {
  readonly name: string;
  open(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export interface AddVersionInput {
  readonly actor: string;
  readonly files: readonly NewFile[];
  /** Start from an empty file list instead of the parent's. */
  readonly replace?: boolean;
  /** `sha256:…` of the de-identification manifest that produced these files. */
  readonly deidManifest?: string;
  readonly onProgress?: ProgressListener;
}

/**
 * Writes version N+1 of a dataset (crash-safe, docs/vault.md §Upload): every file is sealed and
 * put first (blobs carry the dataset's retention and hold); then the sealed index; then the
 * signed manifest and its blob list go in with ONE insert. Until that insert commits there is no
 * version, only unreferenced blobs (removed by `gc` once retention allows); after it the version
 * is complete. The ledger entry follows; a crash between the two is repaired by `reconcile`.
 */
export async function writeVersion(options: DatasetsOptions, dataset: DatasetRecord, input: AddVersionInput): Promise<VersionRecord> {
  const provider = providerFor(options.providers, dataset);
  const parentNumber = await options.store.latestVersion(dataset.id);
  const version = parentNumber + 1;
  const parentRecord = parentNumber === 0 ? undefined : await options.store.getVersion(dataset.id, parentNumber);
  const parent = parentRecord === undefined ? undefined : await openVersion(parentRecord, options);

  const lock: PutOptions = { ...(dataset.retainUntilMs === null ? {} : { retainUntilMs: dataset.retainUntilMs }), legalHold: dataset.legalHold };
  const seal = { wrapWith: [{ provider, keyId: dataset.keyId }], ...(options.frameSize === undefined ? {} : { frameSize: options.frameSize }) };
  const entries = new Map<string, IndexEntry>();
  const blobs = new Map<string, ManifestBlob>();
  if (parent !== undefined && input.replace !== true) {
    const inherited = new Map(parent.manifest.files.map((f) => [f.blob, f]));
    for (const entry of parent.files) {
      entries.set(entry.name, entry);
      const meta = inherited.get(entry.blob);
      if (meta !== undefined) blobs.set(entry.blob, meta);
    }
  }
  const seen = new Set<string>();
  for (const [i, file] of input.files.entries()) {
    checkFileName(file.name, i);
    if (seen.has(file.name)) throw new VaultError('invalid-name', 'the same file name is given twice', { place: { index: i } });
    seen.add(file.name);
    const hasher = createHash('sha256');
    let size = 0;
    const source = file.open();
    const tapped = (async function* () {
      for await (const chunk of source) {
        hasher.update(chunk);
        size += chunk.byteLength;
        input.onProgress?.({ file: i, bytes: size, done: false });
        yield chunk;
      }
    })();
    const put = await options.blobs.put(sealStream(tapped, { ...seal, context: blobContext(dataset.id, version, 'file') }), lock);
    input.onProgress?.({ file: i, bytes: size, done: true });
    entries.set(file.name, Object.freeze({ name: file.name, blob: put.hash, size, sha256: `sha256:${hasher.digest('hex')}` }));
    blobs.set(put.hash, Object.freeze({ blob: put.hash, sealedSize: put.size, sealedIn: version }));
  }

  const ordered = [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const used = new Set(ordered.map((e) => e.blob));
  const files = [...blobs.values()].filter((b) => used.has(b.blob)).sort((a, b) => (a.blob < b.blob ? -1 : 1));
  const index = await options.blobs.put([await sealBuffer(encodeIndex(ordered), { ...seal, context: blobContext(dataset.id, version, 'index') })], lock);
  const manifest: DatasetManifest = {
    format: MANIFEST_FORMAT,
    dataset: dataset.id,
    version,
    parent: parentRecord === undefined ? null : { version: parentRecord.version, manifestHash: parentRecord.manifestHash },
    createdAt: options.clock.now().toISOString(),
    createdBy: input.actor,
    key: { provider: provider.id, keyId: dataset.keyId },
    index: { blob: index.hash, sealedSize: index.size, sealedIn: version },
    files,
    deidManifest: input.deidManifest ?? null,
  };
  const bytes = manifestBytes(manifest);
  const record: VersionRecord = Object.freeze({
    datasetId: dataset.id,
    version,
    manifest: bytes.toString('utf8'),
    manifestHash: manifestHash(bytes),
    signature: Buffer.from(await options.signer.sign(bytes)).toString('base64'),
    signerKeyId: options.signer.keyId,
    createdMs: options.clock.nowMs(),
    ledgerIndex: null,
    blobs: Object.freeze([index.hash, ...manifest.files.map((f) => f.blob)]),
  });
  await options.store.insertVersion(record);
  return record;
}

export function providerFor(providers: readonly KeyProvider[], dataset: DatasetRecord): KeyProvider {
  const provider = providers.find((p) => p.id === dataset.keyProvider);
  if (provider === undefined) throw new VaultError('invalid-argument', 'the key provider of this dataset is not configured', { place: { field: 'keyProvider' } });
  return provider;
}
