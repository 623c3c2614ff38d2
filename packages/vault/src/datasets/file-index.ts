import { VaultError } from '../vault-error.ts';

export const INDEX_FORMAT = 'phiguard.dataset-index/1';

/** One file of a version, as the sealed index knows it (the name may be PHI: it is never outside a seal). */
export interface IndexEntry {
  readonly name: string;
  readonly blob: string;
  /** Plaintext bytes and their SHA-256 (`sha256:…`), checked when the file is read back. */
  readonly size: number;
  readonly sha256: string;
}

const MAX_NAME = 1024;

/**
 * Checks a file name for a dataset: a relative POSIX path without `.`/`..` segments, empty
 * segments, backslashes or control characters (so `get` can never write outside its folder).
 * The error names the position, never the name.
 */
export function checkFileName(name: string, index: number): string {
  const bad = (): never => {
    throw new VaultError('invalid-name', 'file name must be a relative path without . or .. segments', { place: { index } });
  };
  if (name.length === 0 || name.length > MAX_NAME || name.startsWith('/') || name.includes('\\') || /[\u0000-\u001f\u007f]/.test(name)) bad();
  for (const segment of name.split('/')) if (segment === '' || segment === '.' || segment === '..') bad();
  return name;
}

export function encodeIndex(entries: readonly IndexEntry[]): Buffer {
  return Buffer.from(JSON.stringify({ format: INDEX_FORMAT, files: entries }), 'utf8');
}

export function decodeIndex(bytes: Uint8Array): IndexEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const value = parsed as { format?: unknown; files?: unknown } | undefined;
  if (value?.format !== INDEX_FORMAT || !Array.isArray(value.files)) throw new VaultError('manifest-invalid', 'sealed file index is malformed', { place: { field: 'index' } });
  return (value.files as IndexEntry[]).map((entry, i) => {
    if (typeof entry.name !== 'string' || typeof entry.blob !== 'string' || !Number.isSafeInteger(entry.size) || typeof entry.sha256 !== 'string') {
      throw new VaultError('manifest-invalid', 'sealed file index entry is malformed', { place: { field: 'index', index: i } });
    }
    checkFileName(entry.name, i);
    return Object.freeze({ name: entry.name, blob: entry.blob, size: entry.size, sha256: entry.sha256 });
  });
}
