import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { OutputSink } from '../deid/streamed-file.ts';
import { runDeidJob, type DeidJob } from './deid-job.ts';
import { serverProcessors } from './deid-processors.ts';

// The de-identification worker thread of `phiguard serve` (deid-worker-pool.ts): the engines are
// synchronous and CPU-bound, so they run here, off the event loop that serves other requests.
// Jobs run one after another; each writes its output to a file the main thread sends on as it grows.
// A job's input may still be arriving: it then reads the spool as it grows (deid-spool-progress.ts).

/** Messages to the main thread. */
export type WorkerMessage =
  | { readonly id: number; readonly kind: 'written'; readonly bytes: number }
  | { readonly id: number; readonly kind: 'done'; readonly bytes: number; readonly outcome: Awaited<ReturnType<typeof runDeidJob>> };

/** Tells the main thread about new output every this many bytes (and at the end). */
const REPORT_EVERY = 256 * 2 ** 10;

/** Writes output pieces to the job's file and reports how far it got. */
class ReportingSink implements OutputSink {
  readonly #fd: number;
  readonly #report: (bytes: number) => void;
  bytes = 0;
  #reported = 0;

  constructor(file: string, report: (bytes: number) => void) {
    this.#fd = openSync(file, 'w', 0o600);
    this.#report = report;
  }

  write(piece: string | Uint8Array): void {
    const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    for (let off = 0; off < buf.length; ) off += writeSync(this.#fd, buf, off);
    this.bytes += buf.length;
    if (this.bytes - this.#reported >= REPORT_EVERY) {
      this.#reported = this.bytes;
      this.#report(this.bytes);
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

const port = parentPort;
if (port === null) throw new TypeError('deid-worker.ts runs as a worker thread');
const { home } = workerData as { home: string };
const processorFor = serverProcessors(home, process.stderr);
let chain: Promise<void> = Promise.resolve();

port.on('message', (message: DeidJob & { readonly id: number }) => {
  chain = chain.then(async () => {
    const { id } = message;
    const sink = new ReportingSink(message.output, (bytes) => {
      port.postMessage({ id, kind: 'written', bytes } satisfies WorkerMessage);
    });
    let outcome: Awaited<ReturnType<typeof runDeidJob>>;
    try {
      outcome = await runDeidJob(processorFor(message.format, message.profile), message, sink);
    } finally {
      sink.close();
    }
    port.postMessage({ id, kind: 'done', bytes: sink.bytes, outcome } satisfies WorkerMessage);
  });
});
