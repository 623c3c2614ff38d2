import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { canonicalJson } from '@phiguard/core';
import { isSinkId, type AuditSink } from './audit-sink.ts';
import { mapToOcsf, type OcsfOptions } from './map-ocsf.ts';
import type { ShippedRecord } from './shipped-record.ts';
import { SiemError } from './siem-error.ts';
import { classifyConnectFailure } from './tls-failure.ts';

type Pem = string | Buffer;

export interface HttpsWebhookSinkOptions {
  readonly id: string;
  /** An `https:` URL, e.g. a Splunk HEC raw endpoint or a collector's HTTP input. */
  readonly url: string;
  /**
   * CA(s) to pin (PEM): when set, the server's certificate must chain to one of these and the
   * system store is not consulted. Default: the system store.
   */
  readonly ca?: Pem | readonly Pem[];
  /** Client certificate and key for mutual TLS (PEM). */
  readonly cert?: Pem;
  readonly key?: Pem;
  /** Extra headers, e.g. `{ authorization: 'Splunk <token>' }`. Values are secrets: never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly ocsf?: OcsfOptions;
  /** Default 30 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * POSTs each batch as NDJSON (one OCSF object per line, `application/x-ndjson`) over TLS 1.3.
 * A 2xx answer means accepted; anything else, or a network or TLS failure, rejects and the
 * shipper re-sends the same batch with the same `Idempotency-Key` (a hash of the records' keys,
 * draft-ietf-httpapi-idempotency-key-header), and every line carries `metadata.uid`.
 */
export class HttpsWebhookSink implements AuditSink {
  readonly id: string;
  readonly #url: URL;
  readonly #options: HttpsWebhookSinkOptions;
  #closed = false;

  constructor(options: HttpsWebhookSinkOptions) {
    if (!isSinkId(options.id)) throw new TypeError('sink id must be 1-64 of [A-Za-z0-9._-]');
    const url = new URL(options.url);
    if (url.protocol !== 'https:') throw new TypeError('webhook url must be https');
    if ((options.cert === undefined) !== (options.key === undefined)) throw new TypeError('cert and key go together');
    this.id = options.id;
    this.#url = url;
    this.#options = options;
  }

  async send(batch: readonly ShippedRecord[]): Promise<void> {
    if (this.#closed) throw new SiemError('closed', 'sink is closed', { place: { field: this.id } });
    const body = Buffer.from(batch.map((r) => `${canonicalJson(mapToOcsf(r, this.#options.ocsf ?? {}))}\n`).join(''), 'utf8');
    const idempotencyKey = createHash('sha256')
      .update(batch.map((r) => r.key).join('\n'))
      .digest('hex');
    const status = await this.#post(body, idempotencyKey);
    if (status >= 200 && status < 300) return;
    const code = status >= 500 || status === 408 || status === 429 ? 'unavailable' : 'rejected';
    throw new SiemError(code, `webhook answered HTTP ${String(status)}`, { place: { field: this.id } });
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #post(body: Buffer, idempotencyKey: string): Promise<number> {
    const o = this.#options;
    const ca = o.ca === undefined ? undefined : typeof o.ca === 'string' || Buffer.isBuffer(o.ca) ? [o.ca] : [...o.ca];
    return new Promise<number>((resolve, reject) => {
      const req = request(
        this.#url,
        {
          method: 'POST',
          minVersion: 'TLSv1.3',
          rejectUnauthorized: true,
          ...(ca === undefined ? {} : { ca }),
          ...(o.cert === undefined || o.key === undefined ? {} : { cert: o.cert, key: o.key }),
          headers: {
            ...o.headers,
            'content-type': 'application/x-ndjson',
            'content-length': String(body.length),
            'idempotency-key': `"${idempotencyKey}"`,
          },
          timeout: o.timeoutMs ?? 30_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            resolve(res.statusCode ?? 0);
          });
          res.on('error', (error) => {
            reject(new SiemError('unavailable', 'webhook response was cut off', { cause: error, place: { field: this.id } }));
          });
        },
      );
      // Where it failed decides the code: before TCP (connect-failed), in the TLS handshake
      // (tls-refused), or after it (unavailable). A reused keep-alive socket is past both.
      let tcpConnected = false;
      let tlsUp = false;
      req.on('socket', (socket) => {
        if (!socket.connecting) tcpConnected = tlsUp = true;
        socket.once('connect', () => {
          tcpConnected = true;
        });
        socket.once('secureConnect', () => {
          tlsUp = true;
        });
      });
      req.on('timeout', () => {
        req.destroy(new SiemError('unavailable', 'webhook timed out', { place: { field: this.id } }));
      });
      req.on('error', (error) => {
        // A request that got no answer may still have been processed: the shipper re-sends it
        // with the same Idempotency-Key.
        if (tlsUp)
          reject(
            error instanceof SiemError
              ? error
              : new SiemError('unavailable', 'webhook request failed', { cause: error, place: { field: this.id } }),
          );
        else reject(classifyConnectFailure(error, this.id, tcpConnected));
      });
      req.end(body);
    });
  }
}
