import { timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the browser handed back: a one-time code, or the user's refusal (RFC 6749 §4.1.2.1). */
export type LoopbackAnswer =
  | { readonly kind: 'code'; readonly code: string; readonly reply: (ok: boolean, message: string) => void }
  | { readonly kind: 'denied' };

export interface LoopbackListener {
  /** `http://127.0.0.1:<port>/callback`, the redirect address given to the login page. */
  readonly redirectUri: string;
  /** The first answer carrying the right state; answers with another state are refused and ignored. */
  readonly answer: Promise<LoopbackAnswer>;
  close(): Promise<void>;
}

const CALLBACK_PATH = '/callback';

function same(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b)) && a === b;
}

/** A tiny self-contained page for the browser tab (no script, no external resource). */
function page(res: http.ServerResponse, status: number, message: string): void {
  const text = message.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(`<!doctype html><meta charset="utf-8"><title>phiguard login</title><style>body{font-family:system-ui,sans-serif;margin:3rem}</style><p>${text}</p>\n`);
}

/**
 * The CLI's loopback redirect listener (RFC 8252 §7.3): plain HTTP on 127.0.0.1 only (§8.3), a
 * random port chosen by the system, one path. It takes the first answer whose `state` matches
 * (RFC 6749 §10.12 CSRF protection); answers with any other state get a 400 page and change
 * nothing. The code's browser request is held open until the CLI has exchanged the code, so the
 * tab can say whether the login really worked.
 */
export async function startLoopbackListener(state: string, onIgnored: (why: string) => void): Promise<LoopbackListener> {
  let settle: (answer: LoopbackAnswer) => void = () => undefined;
  const answer = new Promise<LoopbackAnswer>((resolve) => (settle = resolve));
  let answered = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      page(res, 404, 'Nothing here.');
      return;
    }
    if (!same(url.searchParams.get('state') ?? '', state)) {
      onIgnored('state does not match this login');
      page(res, 400, 'This answer does not belong to the waiting `phiguard login` (state mismatch): it was refused.');
      return;
    }
    if (answered) {
      page(res, 409, 'This login was already answered.');
      return;
    }
    const code = url.searchParams.get('code');
    if (url.searchParams.get('error') !== null) {
      answered = true;
      page(res, 200, 'Login cancelled. You can close this tab.');
      settle({ kind: 'denied' });
      return;
    }
    if (code === null || !/^[A-Za-z0-9_-]{43}$/.test(code)) {
      onIgnored('answer without a well-formed code');
      page(res, 400, 'This answer carries no well-formed login code: it was refused.');
      return;
    }
    answered = true;
    settle({ kind: 'code', code, reply: (ok, message) => { page(res, ok ? 200 : 401, message); } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${String(port)}${CALLBACK_PATH}`,
    answer,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
