import { describe, expect, it } from 'vitest';
import { buildServer } from './build-server.ts';

describe('buildServer', () => {
  it('answers health and readiness', async () => {
    let ready = false;
    const app = buildServer({ version: '0.0.0-test', isReady: () => Promise.resolve(ready) });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', version: '0.0.0-test' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    await app.close();
  });
});
