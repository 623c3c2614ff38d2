import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { tempSiblingPath, type Clock } from '@phiguard/core';
import { VaultError } from '../vault-error.ts';
import { BLOB_HASH, lockForbidsDelete, mergeLock, type BlobHash, type BlobInfo, type BlobLock, type BlobStore, type DeleteResult, type PutOptions, type PutResult } from './blob-store.ts';
import { verifyingStream, writeHashing } from './hashing-copy.ts';

export interface S3BlobStoreOptions {
  /** A configured client (region, endpoint, credentials come from the composition root). */
  readonly client: S3Client;
  /** A bucket created with Object Lock enabled (which also turns on versioning). */
  readonly bucket: string;
  /** Key prefix, e.g. `phiguard/`; objects are `<prefix>sha256/<64 hex>`. */
  readonly prefix?: string;
  /** Folder for spooling a put (the address is the hash, known only after the last byte). */
  readonly spoolDir: string;
  readonly clock: Clock;
}

/**
 * {@link BlobStore} on S3 with Object Lock in COMPLIANCE mode (AWS S3 User Guide, "Locking objects
 * with Object Lock"): `x-amz-object-lock-mode`, `x-amz-object-lock-retain-until-date` and
 * `x-amz-object-lock-legal-hold` on PutObject, PutObjectRetention and PutObjectLegalHold. In
 * compliance mode no user, root included, can shorten retention or delete a locked version; this
 * store also checks locks itself before deleting. Puts carry `If-None-Match: *` (no overwrite) and
 * `x-amz-checksum-sha256`. A put is one PutObject (S3 limit: 5 GiB per object).
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly #o: S3BlobStoreOptions;

  constructor(options: S3BlobStoreOptions) {
    this.#o = options;
  }

  async put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: PutOptions = {}): Promise<PutResult> {
    await mkdir(this.#o.spoolDir, { recursive: true, mode: 0o700 });
    const temp = tempSiblingPath(path.join(this.#o.spoolDir, 'spool'));
    try {
      const handle = await open(temp, 'wx', 0o600);
      let written: { hash: string; size: number };
      try {
        written = await writeHashing(source, handle);
      } finally {
        await handle.close();
      }
      const existing = await this.stat(written.hash);
      if (existing !== undefined) {
        await this.#applyLock(written.hash, existing.lock, options);
        return Object.freeze({ hash: written.hash, size: written.size, created: false });
      }
      const lock = mergeLock({ retainUntilMs: null, legalHold: false }, options);
      await this.#o.client.send(
        new PutObjectCommand({
          Bucket: this.#o.bucket,
          Key: this.#key(written.hash),
          Body: createReadStream(temp),
          ContentLength: written.size,
          ChecksumSHA256: Buffer.from(written.hash.slice(7), 'hex').toString('base64'),
          IfNoneMatch: '*',
          ...(lock.retainUntilMs === null ? {} : { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(lock.retainUntilMs) }),
          ...(lock.legalHold ? { ObjectLockLegalHoldStatus: 'ON' } : {}),
        }),
      );
      return Object.freeze({ hash: written.hash, size: written.size, created: true });
    } finally {
      await rm(temp, { force: true });
    }
  }

  async *get(hash: BlobHash): AsyncGenerator<Buffer> {
    const key = this.#key(hash);
    let body: AsyncIterable<Uint8Array>;
    try {
      const out = await this.#o.client.send(new GetObjectCommand({ Bucket: this.#o.bucket, Key: key }));
      body = out.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isNotFound(error)) throw new VaultError('not-found', 'no blob at this address', { place: { path: hash } });
      throw new VaultError('store-error', 'S3 GetObject failed', { cause: error, place: { path: hash } });
    }
    yield* verifyingStream(body, hash, () => new VaultError('blob-corrupt', 'stored blob does not match its content address', { place: { path: hash } }));
  }

  async stat(hash: BlobHash): Promise<BlobInfo | undefined> {
    const head = await this.#head(hash);
    if (head === undefined) return undefined;
    return Object.freeze({ hash, size: head.size, createdMs: head.createdMs, lock: head.lock });
  }

  async *list(): AsyncGenerator<BlobHash> {
    const prefix = `${this.#o.prefix ?? ''}sha256/`;
    let token: string | undefined;
    do {
      const page = await this.#o.client.send(new ListObjectsV2Command({ Bucket: this.#o.bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
      for (const item of page.Contents ?? []) {
        const hash = `sha256:${(item.Key ?? '').slice(prefix.length)}`;
        if (BLOB_HASH.test(hash)) yield hash;
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async setRetention(hash: BlobHash, retainUntilMs: number): Promise<BlobLock> {
    if (!Number.isSafeInteger(retainUntilMs)) throw new TypeError('retainUntilMs must be an integer epoch ms');
    const info = await this.#existing(hash);
    if (info.lock.retainUntilMs !== null && retainUntilMs < info.lock.retainUntilMs) {
      throw new VaultError('retention-shortened', 'a retention date can only move later', { place: { path: hash } });
    }
    return this.#applyLock(hash, info.lock, { retainUntilMs });
  }

  async setLegalHold(hash: BlobHash, on: boolean): Promise<BlobLock> {
    const info = await this.#existing(hash);
    return this.#applyLock(hash, info.lock, { legalHold: on });
  }

  async delete(hash: BlobHash): Promise<DeleteResult> {
    const head = await this.#head(hash);
    if (head === undefined) return { ok: false, reason: 'not-found' };
    const refusal = lockForbidsDelete(head.lock, this.#o.clock.nowMs());
    if (refusal !== undefined) return { ok: false, reason: refusal };
    // With versioning (required by Object Lock) only a delete naming the version removes the bytes.
    await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#o.bucket, Key: this.#key(hash), ...(head.versionId === undefined ? {} : { VersionId: head.versionId }) }));
    return { ok: true };
  }

  async #applyLock(hash: BlobHash, current: BlobLock, change: PutOptions): Promise<BlobLock> {
    const next = mergeLock(current, change);
    const Key = this.#key(hash);
    if (next.retainUntilMs !== null && next.retainUntilMs !== current.retainUntilMs) {
      await this.#o.client.send(new PutObjectRetentionCommand({ Bucket: this.#o.bucket, Key, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(next.retainUntilMs) } }));
    }
    if (next.legalHold !== current.legalHold) {
      await this.#o.client.send(new PutObjectLegalHoldCommand({ Bucket: this.#o.bucket, Key, LegalHold: { Status: next.legalHold ? 'ON' : 'OFF' } }));
    }
    return next;
  }

  async #existing(hash: BlobHash): Promise<BlobInfo> {
    const info = await this.stat(hash);
    if (info === undefined) throw new VaultError('not-found', 'no blob at this address', { place: { path: hash } });
    return info;
  }

  async #head(hash: BlobHash): Promise<{ size: number; createdMs: number; lock: BlobLock; versionId: string | undefined } | undefined> {
    try {
      const head = await this.#o.client.send(new HeadObjectCommand({ Bucket: this.#o.bucket, Key: this.#key(hash) }));
      return {
        size: head.ContentLength ?? 0,
        createdMs: head.LastModified?.getTime() ?? 0,
        lock: Object.freeze({ retainUntilMs: head.ObjectLockRetainUntilDate?.getTime() ?? null, legalHold: head.ObjectLockLegalHoldStatus === 'ON' }),
        versionId: head.VersionId,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new VaultError('store-error', 'S3 HeadObject failed', { cause: error, place: { path: hash } });
    }
  }

  #key(hash: BlobHash): string {
    if (!BLOB_HASH.test(hash)) throw new VaultError('invalid-argument', 'not a sha256 blob address', { place: { field: 'hash' } });
    return `${this.#o.prefix ?? ''}sha256/${hash.slice(7)}`;
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
