import { Worker } from 'node:worker_threads';
import type { DeidJob, JobOutcome } from './deid-job.ts';
import type { WorkerMessage } from './deid-worker.ts';
import { ServeDeidError } from './serve-deid-error.ts';

interface Pending {
  readonly written: (bytes: number) => void;
  readonly resolve: (done: { readonly bytes: number; readonly outcome: JobOutcome }) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The server side of deid-worker.ts: one worker thread, started on first use and again after it
 * dies, that runs the jobs in order. `run` reports the output's growth as it happens (the caller
 * streams the file on) and resolves with the outcome. The thread does not keep the process alive.
 */
export class DeidWorkerPool {
  readonly #home: string;
  readonly #limits: { readonly maxOldGenerationSizeMb?: number };
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  constructor(home: string, limits: { readonly maxOldGenerationSizeMb?: number } = {}) {
    this.#home = home;
    this.#limits = limits;
  }

  run(job: DeidJob, written: (bytes: number) => void): Promise<{ readonly bytes: number; readonly outcome: JobOutcome }> {
    const worker = this.#started();
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { written, resolve, reject });
      worker.ref();
      worker.postMessage({ ...job, id });
    });
  }

  /** No job is queued or running. */
  get idle(): boolean {
    return this.#pending.size === 0;
  }

  /**
   * Test only (no route or option reaches it): ends the worker thread as a crash would, so a test
   * can check that the running job fails with `deid-worker-lost` and the next one gets a new thread.
   */
  async crashWorkerForTest(): Promise<void> {
    await this.#worker?.terminate();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #started(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL('./deid-worker.ts', import.meta.url), {
      workerData: { home: this.#home },
      ...(this.#limits.maxOldGenerationSizeMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: this.#limits.maxOldGenerationSizeMb } }),
    });
    worker.unref();
    worker.on('message', (m: WorkerMessage) => {
      const pending = this.#pending.get(m.id);
      if (pending === undefined) return;
      if (m.kind === 'written') {
        pending.written(m.bytes);
        return;
      }
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) worker.unref();
      pending.resolve({ bytes: m.bytes, outcome: m.outcome });
    });
    const lost = (): void => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(new ServeDeidError('deid-worker-lost', 'the de-identification worker stopped (crash or heap limit)', { place: { field: 'worker' } }));
      this.#pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.#worker = worker;
    return worker;
  }
}
