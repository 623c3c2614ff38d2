import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PurposeOfUse } from '@phiguard/audit';
import { describeProblem, type RemoteTarget } from './api-client.ts';
import { RemoteError } from './remote-error.ts';

export interface CallOptions {
  readonly body?: unknown;
  /** `X-Purpose-Of-Use` (HL7 v3 ActReason) for routes that touch data. */
  readonly purpose?: PurposeOfUse;
}

export interface StreamOptions {
  readonly purpose?: PurposeOfUse;
  /** A streamed request body and its media type (uploads). */
  readonly upload?: { readonly contentType: string; readonly body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> };
}

/** Reads a whole (small) answer body. */
async function textOf(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

/**
 * The CLI's side of the remote-command routes: HTTPS (TLS 1.3 only, the target's CA) with a
 * short-lived access token from the stored login session. Non-2xx answers become a
 * {@link RemoteError} naming the server's stable problem code; bodies can stream both ways.
 */
export class RemoteClient {
  readonly target: RemoteTarget;
  readonly #token: string;

  constructor(target: RemoteTarget, accessToken: string) {
    this.target = target;
    this.#token = accessToken;
  }

  /** Sends a request and returns the raw answer (any status); `upload` streams the body with back-pressure. */
  async send(method: string, path: string, options: StreamOptions & { readonly json?: unknown; readonly accept?: string } = {}): Promise<IncomingMessage> {
    const url = new URL(path, `${this.target.server}/`);
    if (url.protocol !== 'https:') throw new RemoteError('refused', 'the server URL must be https://', { place: { field: '--server' } });
    const payload = options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json',
      authorization: `Bearer ${this.#token}`,
      ...(options.purpose === undefined ? {} : { 'x-purpose-of-use': options.purpose }),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.upload === undefined ? {} : { 'content-type': options.upload.contentType }),
    };
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = https.request(url, { method, minVersion: 'TLSv1.3', headers, ...(this.target.ca === undefined ? {} : { ca: this.target.ca }) }, resolve);
      req.on('error', (cause) => {
        reject(new RemoteError('transfer-failed', 'the connection to the server failed', { cause, place: { field: 'server' } }));
      });
      if (options.upload === undefined) {
        req.end(payload);
        return;
      }
      pipeline(Readable.from(options.upload.body), req).catch((cause: unknown) => {
        req.destroy();
        reject(cause instanceof Error && 'code' in cause ? cause : new RemoteError('transfer-failed', 'the upload failed', { cause, place: { field: 'body' } }));
      });
    });
  }

  /** Throws the server's problem as a RemoteError unless the answer is 2xx. */
  async ok(res: IncomingMessage): Promise<IncomingMessage> {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    const text = await textOf(res);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not a problem document
    }
    throw new RemoteError('refused', `the server refused: ${describeProblem({ status, body })}`, { place: { field: 'server' } });
  }

  /** A JSON request; the parsed JSON answer (undefined for 204). */
  async json<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const res = await this.ok(await this.send(method, path, { ...(options.purpose === undefined ? {} : { purpose: options.purpose }), ...(options.body === undefined ? {} : { json: options.body }) }));
    const text = await textOf(res);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new RemoteError('bad-answer', 'the server answered with something other than JSON', { cause, place: { field: 'body' } });
    }
  }

  /** A small text answer (checkpoint note, public key). */
  async text(path: string, options: { readonly purpose?: PurposeOfUse } = {}): Promise<string> {
    return textOf(await this.ok(await this.send('GET', path, { ...options, accept: 'text/plain' })));
  }

  /** A binary answer, or undefined for 404 (an absent tile). */
  async bytes(path: string): Promise<Buffer | undefined> {
    const res = await this.send('GET', path, { accept: 'application/octet-stream' });
    if (res.statusCode === 404) {
      res.resume();
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.ok(res)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
