import { LedgerError } from './ledger-error.ts';

export interface GroupCommitOptions<T, R> {
  readonly maxBatchSize: number;
  /** How long the first item of an idle queue waits for company; 0 = the next turn of the event loop. */
  readonly maxBatchDelayMs: number;
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
 * the next batch, so one transaction and one signature serve many callers. Batches run one at
 * a time and in submission order; each caller's promise settles only when its batch has
 * committed (or failed as a whole).
 */
export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  readonly #queue: Waiting<T, R>[] = [];
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: GroupCommitOptions<T, R>) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) throw new TypeError('maxBatchSize must be >= 1');
    if (!Number.isInteger(options.maxBatchDelayMs) || options.maxBatchDelayMs < 0) throw new TypeError('maxBatchDelayMs must be >= 0');
    this.#options = options;
  }

  /** Number of items waiting for a batch (not counting the one committing). */
  get pending(): number {
    return this.#queue.length;
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
    while (this.#running !== undefined || this.#queue.length > 0) {
      if (this.#running === undefined) this.#start();
      await this.#running;
    }
  }

  /** Refuses new items and drains the queue. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#timer !== undefined) return;
    if (this.#queue.length >= this.#options.maxBatchSize) {
      this.#start();
      return;
    }
    const fire = (): void => {
      this.#timer = undefined;
      if (this.#running === undefined) this.#start();
    };
    this.#timer = this.#options.maxBatchDelayMs === 0 ? setImmediate(fire) : setTimeout(fire, this.#options.maxBatchDelayMs);
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
  }

  #start(): void {
    this.#cancelTimer();
    const batch = this.#queue.splice(0, this.#options.maxBatchSize);
    if (batch.length === 0) return;
    this.#running = this.#commit(batch).finally(() => {
      this.#running = undefined;
      // Items that arrived during the commit have waited already: start their batch at once.
      if (this.#queue.length > 0) this.#start();
    });
  }

  async #commit(batch: readonly Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.#options.commit(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new TypeError('commit must return one result per item');
      batch.forEach((w, i) => {
        w.resolve(results[i] as R);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
