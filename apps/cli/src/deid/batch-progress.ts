import cliProgress from 'cli-progress';
import type { JournalEntry } from './deid-journal.ts';

/** Where the batch runner writes: progress and summary to stdout, problems to stderr. */
export interface BatchStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A cli-progress bar on a TTY, one plain line per file otherwise (CI logs, pipes). */
export class BatchProgress {
  readonly #streams: BatchStreams;
  readonly #total: number;
  readonly #bar: cliProgress.SingleBar | undefined;
  #done = 0;

  constructor(streams: BatchStreams, total: number) {
    this.#streams = streams;
    this.#total = total;
    if (streams.stdout.isTTY === true && total > 0) {
      this.#bar = new cliProgress.SingleBar(
        { format: 'deid [{bar}] {value}/{total} files | {failed} failed | {eta_formatted} left', stream: streams.stdout, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, 0, { failed: 0 });
    }
  }

  #failed = 0;

  tick(relative: string, entry: JournalEntry): void {
    this.#done += 1;
    if (entry.status === 'failed') this.#failed += 1;
    if (this.#bar !== undefined) {
      this.#bar.update(this.#done, { failed: this.#failed });
      return;
    }
    const what = entry.status === 'failed' ? `FAILED ${entry.problems[0]?.code ?? ''}` : `ok ${String(entry.records)} records`;
    this.#streams.stdout.write(`deid ${String(this.#done)}/${String(this.#total)} ${relative}: ${what}\n`);
  }

  stop(): void {
    this.#bar?.stop();
  }
}
