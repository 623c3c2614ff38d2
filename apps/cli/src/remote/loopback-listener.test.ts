// The CLI's loopback listener (RFC 8252 §7.3) with real HTTP requests: bound to 127.0.0.1 only,
// one path, the state checked before anything else, one answer taken, the code's request held
// open until the CLI replies.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackListener, type LoopbackListener } from './loopback-listener.ts';

const STATE = 'c3RhdGUtb2YtdGhpcy1sb2dpbi1vbmx5';
const CODE = 'Q'.repeat(43);
let listener: LoopbackListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

function get(url: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body, headers: res.headers }); });
    }).on('error', reject);
  });
}

describe('startLoopbackListener', () => {
  it('listens on 127.0.0.1 at a random port and refuses other paths, foreign states and malformed codes', async () => {
    const ignored: string[] = [];
    listener = await startLoopbackListener(STATE, (why) => ignored.push(why));
    expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const base = new URL(listener.redirectUri);
    expect((await get(`${base.origin}/other?state=${STATE}&code=${CODE}`)).status).toBe(404);
    const foreign = await get(`${listener.redirectUri}?state=${STATE}x&code=${CODE}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain('state mismatch');
    expect(foreign.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await get(`${listener.redirectUri}?state=${STATE}&code=short`)).status).toBe(400);
    expect(ignored).toEqual(['state does not match this login', 'answer without a well-formed code']);
  });

  it('takes the first right answer, holds its page until the CLI replies, and refuses a second one', async () => {
    listener = await startLoopbackListener(STATE, () => undefined);
    const page = get(`${listener.redirectUri}?state=${STATE}&code=${CODE}`);
    const answer = await listener.answer;
    expect(answer).toMatchObject({ kind: 'code', code: CODE });
    expect((await get(`${listener.redirectUri}?state=${STATE}&code=${CODE}`)).status).toBe(409);
    if (answer.kind === 'code') answer.reply(true, 'Logged in <for> "you"');
    const shown = await page;
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Logged in &#60;for&#62; &#34;you&#34;');
  });

  it('reports the user\'s refusal (error=access_denied, RFC 6749 §4.1.2.1)', async () => {
    listener = await startLoopbackListener(STATE, () => undefined);
    expect((await get(`${listener.redirectUri}?state=${STATE}&error=access_denied`)).body).toContain('Login cancelled');
    expect(await listener.answer).toEqual({ kind: 'denied' });
  });
});
