import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { KeysError } from '../keys-error.ts';
import type { WrappedDataKey } from '../key-provider.ts';
import { writeFileAtomic } from '@phiguard/core';
import type { KeyManager } from './key-manager.ts';

/** Where wrapped DEKs are kept (the vault's dataset records, a table, a folder). */
export interface WrappedKeyStore {
  ids(): Promise<string[]>;
  get(id: string): Promise<WrappedDataKey>;
  /** Replaces the record atomically: afterwards it holds either the old or the new wrap. */
  put(id: string, wrapped: WrappedDataKey): Promise<void>;
}

const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One JSON file per wrapped DEK in a folder; each write is write-temp, fsync, rename. */
export class FileWrappedKeyStore implements WrappedKeyStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async ids(): Promise<string[]> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    return (await readdir(this.#dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -5)).sort();
  }

  async get(id: string): Promise<WrappedDataKey> {
    const file = this.file(id);
    let raw: { provider: string; keyId: string; version: number; wrapped: string };
    try {
      raw = JSON.parse(await readFile(file, 'utf8')) as typeof raw;
    } catch (error) {
      throw new KeysError('unknown-key', 'no readable wrapped key record', { cause: error, place: { file: path.basename(file) } });
    }
    return Object.freeze({ provider: raw.provider, keyId: raw.keyId, version: raw.version, wrapped: Buffer.from(raw.wrapped, 'base64') });
  }

  async put(id: string, wrapped: WrappedDataKey): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const record = { provider: wrapped.provider, keyId: wrapped.keyId, version: wrapped.version, wrapped: Buffer.from(wrapped.wrapped).toString('base64') };
    await writeFileAtomic(this.file(id), `${JSON.stringify(record)}\n`);
  }

  private file(id: string): string {
    if (!RECORD_ID.test(id)) throw new TypeError('record id must be 1-128 characters of [A-Za-z0-9._-]');
    return path.join(this.#dir, `${id}.json`);
  }
}

export interface RewrapStoreReport {
  readonly examined: number;
  readonly rewrapped: number;
  readonly failed: readonly { readonly id: string; readonly code: string }[];
}

/**
 * Re-wraps every record of a store under its key's newest version, a batch at a time:
 * new wrap first, then the atomic switch of the record. Interrupted at any point (even
 * `kill -9`), each record holds a wrap that still opens, and running it again finishes the job.
 */
export async function rewrapStore(
  manager: KeyManager,
  store: WrappedKeyStore,
  actor: string,
  options: { readonly batchSize?: number; readonly onProgress?: (done: number, total: number) => void } = {},
): Promise<RewrapStoreReport> {
  const ids = await store.ids();
  const batchSize = options.batchSize ?? 256;
  let rewrapped = 0;
  const failed: { id: string; code: string }[] = [];
  for (let at = 0; at < ids.length; at += batchSize) {
    const batch = ids.slice(at, at + batchSize);
    const records = await Promise.all(batch.map((id) => store.get(id)));
    const results = await manager.rewrap(actor, records);
    for (const [i, result] of results.entries()) {
      const id = batch[i] ?? '';
      if (!result.ok) failed.push({ id, code: result.code });
      else if (result.changed) {
        await store.put(id, result.wrapped);
        rewrapped += 1;
      }
    }
    options.onProgress?.(Math.min(at + batchSize, ids.length), ids.length);
  }
  return { examined: ids.length, rewrapped, failed };
}
