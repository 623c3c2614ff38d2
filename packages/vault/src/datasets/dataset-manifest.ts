import { createHash } from 'node:crypto';
import { canonicalJson } from '@phiguard/core';
import { BLOB_HASH } from '../blob/blob-store.ts';
import { VaultError } from '../vault-error.ts';

export const MANIFEST_FORMAT = 'phiguard.dataset-manifest/1';

/** A sealed blob as the manifest names it: address, stored size, and the version whose context sealed it. */
export interface ManifestBlob {
  readonly blob: string;
  readonly sealedSize: number;
  readonly sealedIn: number;
}

/**
 * The manifest of one dataset version (docs/formats/dataset-manifest.md). It holds only
 * references (ids, hashes, sizes, codes): file names, plaintext sizes and digests live in the
 * sealed index blob, since a file name can be PHI.
 */
export interface DatasetManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly dataset: string;
  readonly version: number;
  readonly parent: { readonly version: number; readonly manifestHash: string } | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly key: { readonly provider: string; readonly keyId: string };
  readonly index: ManifestBlob;
  /** Sorted by address. */
  readonly files: readonly ManifestBlob[];
  /** Hash of the de-identification manifest that produced the data, or null. */
  readonly deidManifest: string | null;
}

/** RFC 8785 canonical JSON: the exact bytes that are hashed, signed and stored. */
export function manifestBytes(manifest: DatasetManifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

export function manifestHash(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const ID = /^[a-z][a-z0-9]{0,15}_[0-9a-hjkmnp-tv-z]{26}$/;
const CODE = /^[a-z][a-z0-9._-]{0,63}$/;

/**
 * Parses stored manifest text and checks its shape and that it is in canonical form (so the
 * hash of the text is the hash of the manifest). Fails with `manifest-invalid` naming the field.
 */
export function parseManifest(text: string): DatasetManifest {
  const fail = (path: string): never => {
    throw new VaultError('manifest-invalid', 'dataset manifest is malformed', { place: { path } });
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('$');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('$');
  const m = value as Record<string, unknown>;
  const keys = ['createdAt', 'createdBy', 'dataset', 'deidManifest', 'files', 'format', 'index', 'key', 'parent', 'version'];
  if (Object.keys(m).sort().join() !== keys.join()) fail('$');
  if (m.format !== MANIFEST_FORMAT) fail('$.format');
  if (typeof m.dataset !== 'string' || !ID.test(m.dataset)) fail('$.dataset');
  if (!isPositiveInt(m.version)) fail('$.version');
  if (m.parent !== null) {
    const p = m.parent as Record<string, unknown>;
    if (typeof p !== 'object' || !isPositiveInt(p.version) || typeof p.manifestHash !== 'string' || !BLOB_HASH.test(p.manifestHash)) fail('$.parent');
  }
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) fail('$.createdAt');
  if (typeof m.createdBy !== 'string' || !ID.test(m.createdBy)) fail('$.createdBy');
  const key = m.key as Record<string, unknown> | null;
  if (typeof key !== 'object' || key === null || typeof key.provider !== 'string' || !CODE.test(key.provider) || typeof key.keyId !== 'string' || !CODE.test(key.keyId)) fail('$.key');
  checkBlob(m.index, '$.index', fail);
  if (!Array.isArray(m.files)) return fail('$.files');
  (m.files as unknown[]).forEach((f, i) => {
    checkBlob(f, `$.files[${String(i)}]`, fail);
  });
  if (m.deidManifest !== null && (typeof m.deidManifest !== 'string' || !BLOB_HASH.test(m.deidManifest))) fail('$.deidManifest');
  if (canonicalJson(value) !== text) fail('$');
  return Object.freeze(value) as DatasetManifest;
}

function checkBlob(value: unknown, path: string, fail: (path: string) => never): void {
  const b = value as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || Object.keys(b).length !== 3) fail(path);
  else if (typeof b.blob !== 'string' || !BLOB_HASH.test(b.blob) || !Number.isSafeInteger(b.sealedSize) || !isPositiveInt(b.sealedIn)) fail(path);
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
