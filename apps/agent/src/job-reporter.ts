import type { AgentStep } from '@phiguard/compute';
import type { ControlPlaneClient } from './control-plane-client.ts';

/**
 * Sends one job's logs and steps to the control plane, in order, never blocking the job: log text
 * is batched (16 KiB or 500 ms); steps are ledgered there as `agent.STEP`. `flush()` waits for
 * everything sent so far. A failed send is counted, not thrown: the job's outcome does not depend on it.
 */
export class JobReporter {
  readonly #client: ControlPlaneClient;
  readonly #base: string;
  readonly #token: string;
  #chain: Promise<void> = Promise.resolve();
  #buffer = '';
  #timer: NodeJS.Timeout | undefined;
  failures = 0;

  constructor(client: ControlPlaneClient, jobId: string, token: string) {
    this.#client = client;
    this.#base = `/v1/agent/jobs/${jobId}`;
    this.#token = token;
  }

  log(text: string): void {
    this.#buffer += text;
    if (this.#buffer.length >= 16 * 1024) this.#sendLog();
    else this.#timer ??= setTimeout(() => { this.#sendLog(); }, 500);
  }

  step(step: AgentStep, details: Record<string, string | number | boolean> = {}): void {
    this.#sendLog();
    this.#enqueue(() => this.#client.json('POST', `${this.#base}/steps`, { token: this.#token, step, details }));
  }

  async flush(): Promise<void> {
    this.#sendLog();
    await this.#chain;
  }

  #sendLog(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer === '') return;
    const text = this.#buffer.slice(0, 256 * 1024);
    this.#buffer = '';
    this.#enqueue(() => this.#client.json('POST', `${this.#base}/logs`, { token: this.#token, text }));
  }

  #enqueue(send: () => Promise<{ status: number }>): void {
    this.#chain = this.#chain.then(async () => {
      try {
        const answer = await send();
        if (answer.status >= 300) this.failures += 1;
      } catch {
        this.failures += 1;
      }
    });
  }
}
