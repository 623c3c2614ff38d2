// loginWithPasskey without a browser: it refuses a non-https server before listening, and gives up
// (closing its listener) when no browser answers in time.
import { PassThrough } from 'node:stream';
import { loadConfig } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../context.ts';
import { loginWithPasskey } from './login-passkey.ts';

function context(): { ctx: CliContext; err: () => string } {
  const stderr = new PassThrough();
  let e = '';
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { ctx: { version: 'test', cwd: '/nonexistent', env: {}, stdout: new PassThrough(), stderr, config: () => loadConfig({ cwd: '/nonexistent', env: {} }) }, err: () => e };
}

describe('loginWithPasskey', () => {
  it('refuses a server URL that is not https', async () => {
    const { ctx, err } = context();
    expect(await loginWithPasskey(ctx, { target: { server: 'http://localhost:8443', ca: undefined }, home: '/nonexistent', openBrowser: false })).toBe(false);
    expect(err()).toBe('login refused: the server URL must be https://\n');
  });

  it('prints the login address, and stops waiting when no browser answers', async () => {
    const { ctx, err } = context();
    expect(await loginWithPasskey(ctx, { target: { server: 'https://localhost:8443', ca: undefined }, home: '/nonexistent', openBrowser: false, waitMs: 50 })).toBe(false);
    const printed = /https:\/\/localhost:8443\/login\?(\S+)/.exec(err());
    const params = new URLSearchParams(printed?.[1]);
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(err()).toContain('login timed out: no answer from the browser within 0.05 s');
    // The listener is closed: its address no longer answers.
    const redirect = new URL(params.get('redirect_uri') ?? '');
    await expect(fetch(`${redirect.href}?state=x`)).rejects.toThrow();
  });
});
