import { readFileSync } from 'node:fs';
import https from 'node:https';
import { readLocalCa } from '@phiguard/server';

/** Where the CLI talks to and which CA it trusts (embedded mode: the server's local CA). */
export interface RemoteTarget {
  readonly server: string;
  readonly ca: string | undefined;
}

export function remoteTarget(server: string, caFile: string | undefined, home: string): RemoteTarget {
  return { server: server.replace(/\/+$/, ''), ca: caFile === undefined ? readLocalCa(home) : readFileSync(caFile, 'utf8') };
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One HTTPS request (TLS 1.3, the target's CA when given, else the system CAs). */
export function apiCall(target: RemoteTarget, method: string, path: string, options: { readonly bearer?: string; readonly body?: unknown } = {}): Promise<ApiAnswer> {
  const url = new URL(path, `${target.server}/`);
  if (url.protocol !== 'https:') return Promise.reject(new TypeError('the server URL must be https://'));
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method, minVersion: 'TLSv1.3', ...(target.ca === undefined ? {} : { ca: target.ca }),
      headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(options.bearer === undefined ? {} : { authorization: `Bearer ${options.bearer}` }) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** `code (status): title` of a problem+json answer, for the terminal. */
export function describeProblem(answer: ApiAnswer): string {
  const p = answer.body as { code?: unknown; title?: unknown } | undefined;
  return `${typeof p?.code === 'string' ? p.code : 'error'} (${String(answer.status)}): ${typeof p?.title === 'string' ? p.title : 'request failed'}`;
}
