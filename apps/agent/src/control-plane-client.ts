import https from 'node:https';
import { AgentError } from './agent-error.ts';

export interface ClientOptions {
  /** `https://host:port` of the PHIGuard server. */
  readonly server: string;
  /** PEM of the CA that signed the server certificate; absent: the system CAs. */
  readonly ca?: string;
  /** The service account's API key (`phg_…`), exchanged for short-lived access tokens. */
  readonly apiKey: string;
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The agent's HTTPS client (TLS 1.3 only). It exchanges the API key for a short-lived access
 * token and exchanges again when a call answers 401; it never holds database credentials.
 */
export class ControlPlaneClient {
  readonly #o: ClientOptions;
  #token: string | undefined;

  constructor(options: ClientOptions) {
    if (!options.server.startsWith('https://')) throw new AgentError('config-invalid', 'the server URL must be https://', { place: { field: 'server' } });
    this.#o = options;
  }

  async json(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return this.#authorized((token) => this.#request(method, path, { token, ...(payload === undefined ? {} : { payload, type: 'application/json' }) }));
  }

  async octets(method: string, path: string, payload: Buffer, headers: Record<string, string>): Promise<Answer> {
    return this.#authorized((token) => this.#request(method, path, { token, payload, type: 'application/octet-stream', headers }));
  }

  /** GET a byte stream (a sealed input); the caller consumes the response. */
  async stream(path: string, headers: Record<string, string>): Promise<AsyncIterable<Buffer>> {
    const open = async (token: string): Promise<{ status: number; res: import('node:http').IncomingMessage }> =>
      new Promise((resolve, reject) => {
        const req = https.request(new URL(path, `${this.#o.server}/`), { method: 'GET', minVersion: 'TLSv1.3', ...(this.#o.ca === undefined ? {} : { ca: this.#o.ca }), headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
          resolve({ status: res.statusCode ?? 0, res });
        });
        req.on('error', reject);
        req.end();
      });
    let opened = await open(await this.#accessToken());
    if (opened.status === 401) {
      opened.res.resume();
      this.#token = undefined;
      opened = await open(await this.#accessToken());
    }
    if (opened.status !== 200) {
      opened.res.resume();
      throw new AgentError('server-refused', `input download refused (${String(opened.status)})`, { place: { path } });
    }
    return opened.res;
  }

  async #authorized(call: (token: string) => Promise<Answer>): Promise<Answer> {
    const first = await call(await this.#accessToken());
    if (first.status !== 401) return first;
    this.#token = undefined;
    return call(await this.#accessToken());
  }

  async #accessToken(): Promise<string> {
    if (this.#token !== undefined) return this.#token;
    const answer = await this.#request('POST', '/v1/auth/token', { token: this.#o.apiKey });
    const token = (answer.body as { accessToken?: unknown } | undefined)?.accessToken;
    if (answer.status !== 200 || typeof token !== 'string') throw new AgentError('server-refused', `API key refused (${String(answer.status)})`, { place: { field: 'apiKey' }, hint: 'check PHIGUARD_AGENT_API_KEY (phiguard nodes register prints the steps)' });
    this.#token = token;
    return token;
  }

  #request(method: string, path: string, options: { token: string; payload?: Buffer; type?: string; headers?: Record<string, string> }): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, `${this.#o.server}/`), {
        method, minVersion: 'TLSv1.3', ...(this.#o.ca === undefined ? {} : { ca: this.#o.ca }),
        headers: { accept: 'application/json', authorization: `Bearer ${options.token}`, ...(options.type === undefined ? {} : { 'content-type': options.type }), ...options.headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', reject);
      req.end(options.payload);
    });
  }
}

/** `code (status)` of a problem answer, for messages. */
export function problemCode(answer: Answer): string {
  const code = (answer.body as { code?: unknown; reason?: unknown } | undefined);
  const parts = [typeof code?.code === 'string' ? code.code : 'error', typeof code?.reason === 'string' ? code.reason : undefined].filter((p) => p !== undefined);
  return `${parts.join(':')} (${String(answer.status)})`;
}
