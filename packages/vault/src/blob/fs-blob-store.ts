import { createReadStream } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder, tempSiblingPath, writeFileAtomic, type Clock } from '@phiguard/core';
import { VaultError } from '../vault-error.ts';
import { BLOB_HASH, lockForbidsDelete, mergeLock, NO_LOCK, type BlobHash, type BlobInfo, type BlobLock, type BlobStore, type DeleteResult, type PutOptions, type PutResult } from './blob-store.ts';
import { verifyingStream, writeHashing } from './hashing-copy.ts';

interface LockFile {
  readonly createdMs: number;
  readonly retainUntilMs: number | null;
  readonly legalHold: boolean;
}

/**
 * The embedded {@link BlobStore}: `<root>/objects/<2 hex>/<64 hex>` (mode 0444) with the lock in
 * `<root>/locks/<64 hex>.json`. A put streams into `<root>/tmp/`, fsyncs, writes the lock, then
 * hard-links the temp file to its address (link fails on an existing name: never an overwrite)
 * and fsyncs the folders. After `kill -9` a blob is either absent or complete; only temp files
 * (removed by {@link FsBlobStore.cleanTemp}) can be left over.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'filesystem';
  readonly #root: string;
  readonly #clock: Clock;

  private constructor(root: string, clock: Clock) {
    this.#root = root;
    this.#clock = clock;
  }

  /** Opens (creating folders, mode 0700) a store under `root`, usually `<home>/blobs`. */
  static async open(root: string, clock: Clock): Promise<FsBlobStore> {
    for (const sub of ['objects', 'locks', 'tmp']) await mkdir(path.join(root, sub), { recursive: true, mode: 0o700 });
    return new FsBlobStore(root, clock);
  }

  async put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: PutOptions = {}): Promise<PutResult> {
    const temp = tempSiblingPath(path.join(this.#root, 'tmp', 'blob'));
    const handle = await open(temp, 'wx', 0o400);
    let written: { hash: string; size: number };
    try {
      written = await writeHashing(source, handle);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      const hex = written.hash.slice('sha256:'.length);
      const existing = await this.stat(written.hash);
      // The lock goes down first, so a blob that exists always carries at least the requested lock.
      await this.#writeLock(hex, { ...mergeLock(existing?.lock ?? NO_LOCK, options), createdMs: existing?.createdMs ?? this.#clock.nowMs() });
      const folder = path.join(this.#root, 'objects', hex.slice(0, 2));
      await mkdir(folder, { recursive: true, mode: 0o700 });
      let created = true;
      try {
        await link(temp, path.join(folder, hex));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        created = false;
      }
      if (created) await syncFolder(folder);
      return Object.freeze({ hash: written.hash, size: written.size, created });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async *get(hash: BlobHash): AsyncGenerator<Buffer> {
    const file = this.#objectPath(hash);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw notFound(hash);
    yield* verifyingStream(createReadStream(file) as AsyncIterable<Buffer>, hash, () => new VaultError('blob-corrupt', 'stored blob does not match its content address', { place: { path: hash } }));
  }

  async stat(hash: BlobHash): Promise<BlobInfo | undefined> {
    const info = await stat(this.#objectPath(hash)).catch(() => undefined);
    if (info === undefined) return undefined;
    const lock = await this.#readLock(hash.slice('sha256:'.length));
    return Object.freeze({
      hash,
      size: info.size,
      createdMs: lock?.createdMs ?? Math.floor(info.mtimeMs),
      lock: Object.freeze({ retainUntilMs: lock?.retainUntilMs ?? null, legalHold: lock?.legalHold ?? false }),
    });
  }

  async *list(): AsyncGenerator<BlobHash> {
    const objects = path.join(this.#root, 'objects');
    for (const prefix of (await readdir(objects)).sort()) {
      for (const name of (await readdir(path.join(objects, prefix))).sort()) {
        const hash = `sha256:${name}`;
        if (BLOB_HASH.test(hash)) yield hash;
      }
    }
  }

  async setRetention(hash: BlobHash, retainUntilMs: number): Promise<BlobLock> {
    if (!Number.isSafeInteger(retainUntilMs)) throw new TypeError('retainUntilMs must be an integer epoch ms');
    const info = await this.#existing(hash);
    if (info.lock.retainUntilMs !== null && retainUntilMs < info.lock.retainUntilMs) {
      throw new VaultError('retention-shortened', 'a retention date can only move later', { place: { path: hash } });
    }
    const lock = mergeLock(info.lock, { retainUntilMs });
    await this.#writeLock(hash.slice(7), { ...lock, createdMs: info.createdMs });
    return lock;
  }

  async setLegalHold(hash: BlobHash, on: boolean): Promise<BlobLock> {
    const info = await this.#existing(hash);
    const lock = mergeLock(info.lock, { legalHold: on });
    await this.#writeLock(hash.slice(7), { ...lock, createdMs: info.createdMs });
    return lock;
  }

  async delete(hash: BlobHash): Promise<DeleteResult> {
    const info = await this.stat(hash);
    if (info === undefined) return { ok: false, reason: 'not-found' };
    const refusal = lockForbidsDelete(info.lock, this.#clock.nowMs());
    if (refusal !== undefined) return { ok: false, reason: refusal };
    const file = this.#objectPath(hash);
    await chmod(file, 0o600).catch(() => undefined);
    await rm(file, { force: true });
    await syncFolder(path.dirname(file));
    await rm(this.#lockPath(hash.slice(7)), { force: true });
    return { ok: true };
  }

  /** Removes temp files that a killed writer left behind (none of them is a blob). */
  async cleanTemp(): Promise<number> {
    const dir = path.join(this.#root, 'tmp');
    const names = await readdir(dir);
    for (const name of names) await rm(path.join(dir, name), { force: true });
    return names.length;
  }

  #objectPath(hash: BlobHash): string {
    if (!BLOB_HASH.test(hash)) throw new VaultError('invalid-argument', 'not a sha256 blob address', { place: { field: 'hash' } });
    const hex = hash.slice(7);
    return path.join(this.#root, 'objects', hex.slice(0, 2), hex);
  }

  #lockPath(hex: string): string {
    return path.join(this.#root, 'locks', `${hex}.json`);
  }

  async #existing(hash: BlobHash): Promise<BlobInfo> {
    const info = await this.stat(hash);
    if (info === undefined) throw notFound(hash);
    return info;
  }

  async #readLock(hex: string): Promise<LockFile | undefined> {
    const text = await readFile(this.#lockPath(hex), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as LockFile;
    return parsed;
  }

  async #writeLock(hex: string, lock: LockFile): Promise<void> {
    const record: LockFile = { createdMs: lock.createdMs, retainUntilMs: lock.retainUntilMs, legalHold: lock.legalHold };
    await writeFileAtomic(this.#lockPath(hex), `${JSON.stringify(record)}\n`);
  }
}

function notFound(hash: BlobHash): VaultError {
  return new VaultError('not-found', 'no blob at this address', { place: { path: hash } });
}
