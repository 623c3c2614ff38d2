import { LedgerError } from './ledger-error.ts';

export interface GroupCommitOptions<T, R> {
  readonly maxBatchSize: number;
  /** How long the first item of an idle queue waits for company; 0 = the next turn of the event loop. */
  readonly maxBatchDelayMs: number;
  /**
   * Batches whose commit may run at once (default 1). With more than one, the next batch is
   * handed to `commit` while the one before is still committing (pipelining); `commit` must then
   * make a batch fail when one before it failed (the ledger's store does: its size check).
   */
  readonly maxInFlight?: number;
  /**
   * With a batch in flight, a further one starts only once this many items wait (default 64):
   * below that, the queue grows until a commit finishes (adaptive batch size). An idle pipeline
   * with at least twice this many waiting splits them evenly over its free slots.
   */
  readonly minPipelinedBatch?: number;
  /** Commits a batch atomically and returns one result per item, in order; throws to reject them all. */
  readonly commit: (items: readonly T[]) => Promise<readonly R[]>;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a batch is being committed (or within the delay) share
 * the next batch, so one transaction and one signature serve many callers. Batches are handed
 * to `commit` in submission order, at most `maxInFlight` at a time; each caller's promise
 * settles only when its batch has committed (or failed as a whole).
 */
export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  readonly #maxInFlight: number;
  readonly #minPipelined: number;
  #queue: Waiting<T, R>[] = [];
  readonly #running = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: GroupCommitOptions<T, R>) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) throw new TypeError('maxBatchSize must be >= 1');
    if (!Number.isInteger(options.maxBatchDelayMs) || options.maxBatchDelayMs < 0) throw new TypeError('maxBatchDelayMs must be >= 0');
    const maxInFlight = options.maxInFlight ?? 1;
    const minPipelined = options.minPipelinedBatch ?? 64;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new TypeError('maxInFlight must be >= 1');
    if (!Number.isInteger(minPipelined) || minPipelined < 1) throw new TypeError('minPipelinedBatch must be >= 1');
    this.#options = options;
    this.#maxInFlight = maxInFlight;
    this.#minPipelined = minPipelined;
  }

  /** Number of items waiting for a batch (not counting those committing). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Number of batches committing now. */
  get inFlight(): number {
    return this.#running.size;
  }

  submit(item: T): Promise<R> {
    if (this.#closed) return Promise.reject(new LedgerError('closed', 'the ledger is closed'));
    const { promise, resolve, reject } = Promise.withResolvers<R>();
    this.#queue.push({ item, resolve, reject });
    this.#schedule();
    return promise;
  }

  /** Commits everything submitted so far; resolves when the queue is empty and idle. */
  async drain(): Promise<void> {
    this.#cancelTimer();
    while (this.#running.size > 0 || this.#queue.length > 0) {
      if (this.#running.size < this.#maxInFlight && this.#queue.length > 0) this.#startBatch(this.#options.maxBatchSize);
      else await Promise.race(this.#running);
    }
  }

  /** Refuses new items and drains the queue. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const inFlight = this.#running.size;
    if (inFlight === 0) {
      if (this.#queue.length >= this.#options.maxBatchSize) {
        this.#pump();
        return;
      }
      this.#timer = this.#options.maxBatchDelayMs === 0 ? setImmediate(this.#fire) : setTimeout(this.#fire, this.#options.maxBatchDelayMs);
    } else if (inFlight < this.#maxInFlight && this.#queue.length >= this.#minPipelined) {
      // A free slot and enough company: start on the next turn, so that a burst of submissions joins.
      this.#timer = setImmediate(this.#fire);
    }
    // Otherwise the queue grows until a batch in flight settles.
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#pump();
  };

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
  }

  /** Starts as many batches as free slots and the queue allow. */
  #pump(): void {
    this.#cancelTimer();
    const free = this.#maxInFlight - this.#running.size;
    if (free <= 0 || this.#queue.length === 0) return;
    if (this.#running.size === 0) {
      // An idle pipeline: spread a large queue evenly over the free slots (each at least minPipelined).
      const parts = Math.max(1, Math.min(free, Math.floor(this.#queue.length / this.#minPipelined)));
      const size = Math.min(this.#options.maxBatchSize, Math.ceil(this.#queue.length / parts));
      for (let i = 0; i < parts && this.#queue.length > 0; i++) this.#startBatch(size);
      return;
    }
    for (let i = 0; i < free && this.#queue.length >= this.#minPipelined; i++) this.#startBatch(this.#options.maxBatchSize);
  }

  #startBatch(size: number): void {
    const batch = this.#queue.length <= size ? this.#queue : this.#queue.slice(0, size);
    this.#queue = this.#queue.length <= size ? [] : this.#queue.slice(size);
    const running: Promise<void> = this.#commit(batch).finally(() => {
      this.#running.delete(running);
      // Items that arrived during the commit have waited already: start their batch at once.
      if (this.#queue.length > 0) this.#pump();
    });
    this.#running.add(running);
  }

  async #commit(batch: readonly Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.#options.commit(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new TypeError('commit must return one result per item');
      for (let i = 0; i < batch.length; i++) (batch[i] as Waiting<T, R>).resolve(results[i] as R);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
