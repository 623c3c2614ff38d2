import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { isSinkId, type AuditSink } from './audit-sink.ts';
import { formatSyslog5424, type Syslog5424Options } from './format-syslog-5424.ts';
import { frameOctetCounting } from './octet-counting.ts';
import type { ShippedRecord } from './shipped-record.ts';
import { SiemError } from './siem-error.ts';
import { classifyConnectFailure } from './tls-failure.ts';

type Pem = string | Buffer;

export interface SyslogTlsSinkOptions {
  readonly id: string;
  readonly host: string;
  /** RFC 5425 §4.1: 6514 is the registered port. */
  readonly port: number;
  /** The CA(s) the receiver's certificate must chain to (PEM); the system store is NOT used. */
  readonly ca: Pem | readonly Pem[];
  /** Name to verify in the receiver's certificate; default `host` (IP SANs are checked for an IP). */
  readonly servername?: string;
  /** Client certificate and key for mutual TLS (PEM). */
  readonly cert?: Pem;
  readonly key?: Pem;
  readonly format?: Syslog5424Options;
  /** Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * How long a batch may take to flush before the connection is given up (default 30 000 ms): a
   * receiver that stops reading fills the TCP window, and without this `send` would never settle.
   */
  readonly writeTimeoutMs?: number;
  /**
   * Bytes of the most recently written frames kept for replay after a reconnect (default 16 MiB).
   * RFC 5425 has no acknowledgement: frames written just before the receiver went away may sit
   * unread in kernel buffers and be lost with the connection, so on every reconnect this sink
   * first re-sends this window. It must exceed the socket send + receive buffers.
   */
  readonly replayWindowBytes?: number;
}

/**
 * RFC 5425 syslog over TLS: octet-counted frames (§4.3) of RFC 5424 messages, TLS 1.3 only, the
 * receiver's certificate verified against the configured CA and name, optional client
 * certificate. `send` resolves once the batch is written and flushed to the connection (handed
 * to the kernel); on a broken connection it rejects and the next `send` reconnects, replaying
 * the recent window first. Delivery is at-least-once; the SIEM de-duplicates on `key`.
 */
export class SyslogTlsSink implements AuditSink {
  readonly id: string;
  readonly #options: SyslogTlsSinkOptions;
  readonly #windowLimit: number;
  #socket: TLSSocket | undefined;
  #window: Buffer[] = [];
  #windowBytes = 0;
  #connections = 0;
  #closed = false;

  constructor(options: SyslogTlsSinkOptions) {
    if (!isSinkId(options.id)) throw new TypeError('sink id must be 1-64 of [A-Za-z0-9._-]');
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new TypeError('port must be 1-65535');
    if ((options.cert === undefined) !== (options.key === undefined)) throw new TypeError('cert and key go together');
    this.id = options.id;
    this.#options = options;
    this.#windowLimit = options.replayWindowBytes ?? 16 * 1024 * 1024;
  }

  /** How many TLS connections this sink has opened (for tests and metrics). */
  get connections(): number {
    return this.#connections;
  }

  async send(batch: readonly ShippedRecord[]): Promise<void> {
    if (this.#closed) throw new SiemError('closed', 'sink is closed', { place: { field: this.id } });
    const frames = batch.map((record) => frameOctetCounting(formatSyslog5424(record, this.#options.format)));
    let socket = this.#socket;
    let payload = frames;
    if (socket === undefined) {
      socket = await this.#connect();
      // A reconnect: what was written on the lost connection may not have been read. Re-send it.
      payload = [...this.#window, ...frames];
    }
    await writeFlushed(socket, Buffer.concat(payload), this.#options.writeTimeoutMs ?? 30_000);
    this.#remember(frames);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  /** Keeps the newest frames up to the replay window (at least the last frame). */
  #remember(frames: readonly Buffer[]): void {
    for (const frame of frames) {
      this.#window.push(frame);
      this.#windowBytes += frame.length;
    }
    let drop = 0;
    while (this.#windowBytes > this.#windowLimit && drop < this.#window.length - 1) {
      this.#windowBytes -= this.#window[drop]?.length ?? 0;
      drop += 1;
    }
    if (drop > 0) this.#window.splice(0, drop);
  }

  #connect(): Promise<TLSSocket> {
    const o = this.#options;
    const servername = o.servername ?? (isIP(o.host) === 0 ? o.host : undefined);
    const ca = typeof o.ca === 'string' || Buffer.isBuffer(o.ca) ? [o.ca] : [...o.ca];
    return new Promise<TLSSocket>((resolve, reject) => {
      const socket = connect({
        host: o.host,
        port: o.port,
        ca,
        ...(servername === undefined ? {} : { servername }),
        ...(o.cert === undefined || o.key === undefined ? {} : { cert: o.cert, key: o.key }),
        minVersion: 'TLSv1.3',
        rejectUnauthorized: true,
      });
      const timer = setTimeout(() => {
        socket.destroy(new SiemError('connect-failed', 'TLS connection timed out', { place: { field: this.id } }));
      }, o.connectTimeoutMs ?? 10_000);
      let tcpConnected = false;
      socket.once('connect', () => {
        tcpConnected = true;
      });
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(classifyConnectFailure(error, this.id, tcpConnected));
      };
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        this.#connections += 1;
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        const lost = (): void => {
          if (this.#socket === socket) this.#socket = undefined;
          socket.destroy();
        };
        // The receiver never speaks (RFC 5425 §4.3); its close or any error ends this connection.
        socket.on('error', lost);
        socket.on('end', lost);
        socket.on('close', lost);
        socket.resume();
        this.#socket = socket;
        resolve(socket);
      });
    });
  }
}

function writeFlushed(socket: TLSSocket, data: Buffer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || !socket.writable) {
      reject(new SiemError('connection-lost', 'syslog connection was lost'));
      return;
    }
    const onClose = (): void => {
      clearTimeout(timer);
      reject(new SiemError('connection-lost', 'syslog connection was lost before the batch was flushed'));
    };
    // A stalled receiver: drop the connection; the next send reconnects and replays.
    const timer = setTimeout(() => {
      socket.destroy();
    }, timeoutMs);
    socket.once('close', onClose);
    socket.write(data, (error) => {
      clearTimeout(timer);
      socket.off('close', onClose);
      if (error === undefined || error === null) resolve();
      else reject(new SiemError('connection-lost', 'syslog write failed', { cause: error }));
    });
  });
}
