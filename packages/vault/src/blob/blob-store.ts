/**
 * The BlobStore port (ARCHITECTURE §2, vault): immutable, content-addressed objects of sealed
 * bytes with WORM locks modelled on S3 Object Lock (retain-until date, legal hold; compliance
 * mode: a retention date can only move later, by anyone). Implementations: {@link FsBlobStore}
 * (embedded default) and {@link S3BlobStore}. HIPAA §164.312(c)(1) integrity, §164.316(b)(2)(i)
 * retention.
 */
export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  /**
   * Stores the bytes of `source` under `sha256:<hex of the bytes>`. Never overwrites: when the
   * address exists already the new copy is discarded (`created: false`) and the stored object is
   * left as it was, except that a requested lock is applied (retention only extends).
   */
  put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: PutOptions): Promise<PutResult>;
  /** The stored bytes. The stream throws `blob-corrupt` at its end when they no longer hash to `hash`. */
  get(hash: BlobHash): AsyncIterable<Buffer>;
  /** Size, time and lock of a blob, or undefined when there is none. */
  stat(hash: BlobHash): Promise<BlobInfo | undefined>;
  /** Every stored address, in no particular order. */
  list(): AsyncIterable<BlobHash>;
  /** Moves the retain-until date later (never earlier: `retention-shortened`). */
  setRetention(hash: BlobHash, retainUntilMs: number): Promise<BlobLock>;
  setLegalHold(hash: BlobHash, on: boolean): Promise<BlobLock>;
  /** Deletes unless retention or a legal hold forbids it; the refusal is a value. */
  delete(hash: BlobHash): Promise<DeleteResult>;
}

/** `sha256:` and 64 lower-case hex digits of the stored (sealed) bytes. */
export type BlobHash = string;

export const BLOB_HASH = /^sha256:[0-9a-f]{64}$/;

/** Object Lock state (S3 `x-amz-object-lock-retain-until-date`, `x-amz-object-lock-legal-hold`). */
export interface BlobLock {
  /** Epoch ms; null when the blob has no retention. */
  readonly retainUntilMs: number | null;
  readonly legalHold: boolean;
}

export interface PutOptions {
  readonly retainUntilMs?: number;
  readonly legalHold?: boolean;
}

export interface PutResult {
  readonly hash: BlobHash;
  readonly size: number;
  readonly created: boolean;
}

export interface BlobInfo {
  readonly hash: BlobHash;
  readonly size: number;
  readonly createdMs: number;
  readonly lock: BlobLock;
}

export type DeleteResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'retained' | 'legal-hold' | 'not-found' };

export const NO_LOCK: BlobLock = Object.freeze({ retainUntilMs: null, legalHold: false });

/** Why a blob with `lock` may not be deleted at `nowMs`, or undefined when it may. */
export function lockForbidsDelete(lock: BlobLock, nowMs: number): 'retained' | 'legal-hold' | undefined {
  if (lock.legalHold) return 'legal-hold';
  if (lock.retainUntilMs !== null && nowMs < lock.retainUntilMs) return 'retained';
  return undefined;
}

/** The lock after applying `change`: retention extends only, legal hold as asked. */
export function mergeLock(current: BlobLock, change: PutOptions): BlobLock {
  const until = change.retainUntilMs === undefined ? current.retainUntilMs : Math.max(current.retainUntilMs ?? change.retainUntilMs, change.retainUntilMs);
  return Object.freeze({ retainUntilMs: until, legalHold: change.legalHold ?? current.legalHold });
}
