import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { TestPki } from './test-pki.ts';

export interface RsyslogReceiverOptions {
  readonly dir: string;
  readonly pki: TestPki;
  /** GnuTLS priority string; default TLS 1.3 only (without one the handshake fails). */
  readonly priority?: string;
  /** imtcp StreamDriver.AuthMode: `anon` (default) or `x509/certvalid` (client certificate required). */
  readonly authMode?: 'anon' | 'x509/certvalid';
}

/** A free loopback TCP port (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * A real rsyslog (Debian rsyslog + rsyslog-gnutls) run in the foreground as the test's own
 * process: imtcp over gtls (RFC 5425) on a loopback port, every received message written raw, one
 * per line, by omfile. Stop and start it again on the same port to simulate an outage.
 */
export class RsyslogReceiver {
  readonly port: number;
  readonly outPath: string;
  readonly #options: RsyslogReceiverOptions;
  #child: ChildProcess | undefined;
  #runs = 0;
  #stderr = '';

  private constructor(options: RsyslogReceiverOptions, port: number) {
    this.#options = options;
    this.port = port;
    this.outPath = join(options.dir, 'received.log');
  }

  static async start(options: RsyslogReceiverOptions): Promise<RsyslogReceiver> {
    const receiver = new RsyslogReceiver(options, await freePort());
    await receiver.restart();
    return receiver;
  }

  /** Starts rsyslogd (again) on the same port and waits until it accepts connections. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error('rsyslogd is already running');
    const { dir, pki } = this.#options;
    const run = ++this.#runs;
    const work = join(dir, `work-${String(run)}`);
    await mkdir(work, { recursive: true });
    const conf = join(dir, `rsyslog-${String(run)}.conf`);
    await writeFile(
      conf,
      [
        `global(workDirectory="${work}" DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${pki.caPath}"`,
        `       DefaultNetstreamDriverCertFile="${pki.serverCertPath}" DefaultNetstreamDriverKeyFile="${pki.serverKeyPath}")`,
        `module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="${this.#options.authMode ?? 'anon'}")`,
        'template(name="raw" type="string" string="%rawmsg%\\n")',
        `input(type="imtcp" port="${String(this.port)}" address="127.0.0.1" gnutlsPriorityString="${this.#options.priority ?? 'NORMAL:-VERS-ALL:+VERS-TLS1.3'}")`,
        `action(type="omfile" file="${this.outPath}" template="raw")`,
        '',
      ].join('\n'),
    );
    const child = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(work, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${this.#stderr}`);
      if (await accepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('rsyslogd did not start listening');
  }

  /** SIGTERM (rsyslog's orderly shutdown) and wait for the process to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** The raw messages received so far, one per line. */
  async lines(): Promise<string[]> {
    const text = await readFile(this.outPath, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l !== '');
  }

  /** Polls the output until `done(lines)` holds (or throws after `timeoutMs`). */
  async waitFor(done: (lines: readonly string[]) => boolean, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = await this.lines();
      if (done(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`rsyslog output incomplete after ${String(timeoutMs)} ms (${String(lines.length)} lines)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => {
      resolve(false);
    });
  });
}
