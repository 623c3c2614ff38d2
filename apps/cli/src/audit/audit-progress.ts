import cliProgress from 'cli-progress';

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/** Progress of a long audit operation: a cli-progress bar on a TTY, a line per 10 % otherwise. */
export class AuditProgress {
  readonly #stream: Stream;
  readonly #label: string;
  #bar: cliProgress.SingleBar | undefined;
  #lastTenth = -1;

  constructor(stream: Stream, label: string) {
    this.#stream = stream;
    this.#label = label;
  }

  update(done: number, total: number): void {
    if (this.#stream.isTTY === true) {
      if (this.#bar === undefined) {
        this.#bar = new cliProgress.SingleBar({ format: `${this.#label} [{bar}] {value}/{total} | {eta_formatted} left`, stream: this.#stream, hideCursor: true }, cliProgress.Presets.shades_classic);
        this.#bar.start(total, done);
      }
      this.#bar.setTotal(total);
      this.#bar.update(done);
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth > this.#lastTenth) {
      this.#lastTenth = tenth;
      this.#stream.write(`${this.#label}: ${String(done)}/${String(total)}\n`);
    }
  }

  stop(): void {
    this.#bar?.stop();
  }
}
