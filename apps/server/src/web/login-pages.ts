import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The page's Content Security Policy (CSP Level 3): only this origin's own scripts, styles and API;
 * no inline code, no framing, no form posts, no base rewriting; DOM sinks need Trusted Types, which
 * the pages never create (they write text only).
 */
export const LOGIN_PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'none'",
  "form-action 'none'", "frame-ancestors 'none'", "base-uri 'none'", "require-trusted-types-for 'script'", "trusted-types 'none'",
].join('; ');

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;
const ASSETS = ['login.js', 'passkeys.js', 'webauthn-json.js', 'login.css'] as const;

function read(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

/** The https origin a Host header names (URL normalizes case and the default port), or undefined. */
function originOf(host: string | undefined): string | undefined {
  try {
    return host === undefined ? undefined : new URL(`https://${host}`).origin;
  } catch {
    return undefined;
  }
}

function send(reply: FastifyReply, name: string, body: string): FastifyReply {
  const type = TYPES[name.slice(name.lastIndexOf('.') + 1) as keyof typeof TYPES];
  return reply.type(type)
    .header('content-security-policy', LOGIN_PAGE_CSP)
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('permissions-policy', 'publickey-credentials-get=(self), publickey-credentials-create=(self), camera=(), microphone=(), geolocation=()')
    .send(body);
}

/**
 * The browser pages of passkey login (`/login`, opened by `phiguard login --passkey`) and passkey
 * registration (`/login/passkeys`): static HTML and vanilla JavaScript read once at start, served
 * over the server's own HTTPS with a strict CSP. They only call the public auth API.
 */
export function registerLoginPages(app: FastifyInstance, publicOrigin: string | undefined): void {
  const pages = { login: read('login.html'), passkeys: read('passkeys.html') };
  const assets = new Map<string, string>(ASSETS.map((name) => [name, read(name)]));
  // A passkey is bound to the relying party (W3C WebAuthn Level 3 §5.1.3, §5.1.4: its id must be a
  // registrable suffix of the page's host, and the server checks the exact origin): a page reached
  // by another name (an IP address, another host) is sent to that origin, query unchanged.
  const page = (name: 'login' | 'passkeys') => (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (publicOrigin !== undefined && originOf(request.headers.host) !== publicOrigin) {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      return reply.code(302).header('location', `${publicOrigin}${request.routeOptions.url ?? '/login'}${query}`).send();
    }
    return send(reply, `${name}.html`, pages[name]);
  };
  app.get('/login', { schema: { hide: true } }, page('login'));
  app.get('/login/passkeys', { schema: { hide: true } }, page('passkeys'));
  app.get('/login/assets/:name', { schema: { hide: true } }, (request, reply) => {
    const { name } = request.params as { name: string };
    const body = assets.get(name);
    if (body === undefined) return reply.code(404).type('application/problem+json').send({ type: 'https://phiguard.dev/problems/not-found', title: 'no such page asset', status: 404, code: 'no-route', requestId: request.id });
    return send(reply, name, body);
  });
}
