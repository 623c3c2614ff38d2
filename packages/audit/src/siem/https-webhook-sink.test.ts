import { canonicalJsonBytes } from '@phiguard/core';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type ServerOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpsWebhookSink } from './https-webhook-sink.ts';
import { MemoryCursorStore } from './memory-cursor-store.ts';
import { MemoryShipSource } from './memory-ship-source.ts';
import { eventRecord } from './shipped-record.ts';
import { Shipper, type ShipperReport } from './shipper.ts';
import { sampleEvent } from './testing/audit-event-arbitrary.ts';
import { createTestPki, type TestPki } from './testing/test-pki.ts';
import type { Timers } from './timers.ts';

const ORIGIN = 'phiguard.test/log';
let dir: string;
let pki: TestPki;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phiguard-webhook-'));
  pki = await createTestPki(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly lines: { metadata: { uid: string } }[];
}

/** A local HTTPS collector answering with the statuses given, in turn (then 200). */
async function collector(statuses: number[], options: ServerOptions = {}): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem, ...options }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        lines: body
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as { metadata: { uid: string } }),
      });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, url: `https://localhost:${String(port)}/ingest`, received };
}

const instant: Timers = { sleep: () => Promise.resolve() };

describe('HttpsWebhookSink', () => {
  it('POSTs NDJSON OCSF lines with an Idempotency-Key, and retries 5xx with the same key', async () => {
    const c = await collector([503, 500]);
    const source = new MemoryShipSource();
    for (let i = 0; i < 3; i++) source.append(sampleEvent(i));
    const sink = new HttpsWebhookSink({ id: 'hook', url: c.url, ca: pki.caPem, headers: { authorization: 'Splunk test-token' } });
    const reports: ShipperReport[] = [];
    await new Shipper({
      source,
      cursors: new MemoryCursorStore(),
      sinks: [sink],
      origin: ORIGIN,
      timers: instant,
      onReport: (r) => reports.push(r),
    }).drain();
    expect(c.received).toHaveLength(3);
    const keys = [0, 1, 2].map((i) => `${ORIGIN}/${String(i)}`);
    const expectedKey = `"${createHash('sha256').update(keys.join('\n')).digest('hex')}"`;
    for (const r of c.received) {
      expect(r.headers['content-type']).toBe('application/x-ndjson');
      expect(r.headers['idempotency-key']).toBe(expectedKey);
      expect(r.headers.authorization).toBe('Splunk test-token');
      expect(r.lines.map((l) => l.metadata.uid)).toEqual(keys);
    }
    expect(reports.flatMap((r) => (r.kind === 'retry' ? [r.code] : []))).toEqual(['unavailable', 'unavailable']);
    c.server.close();
  });

  it('reports a 4xx as rejected', async () => {
    const c = await collector([400]);
    const event = sampleEvent(0);
    const sink = new HttpsWebhookSink({ id: 'hook', url: c.url, ca: pki.caPem });
    await expect(sink.send([eventRecord(ORIGIN, 0, event, canonicalJsonBytes(event))])).rejects.toMatchObject({ code: 'rejected' });
    c.server.close();
  });

  it('pins the CA and refuses TLS below 1.3', async () => {
    const event = sampleEvent(0);
    const batch = [eventRecord(ORIGIN, 0, event, canonicalJsonBytes(event))];
    const c = await collector([]);
    await expect(new HttpsWebhookSink({ id: 'hook', url: c.url, ca: pki.otherCaPem }).send(batch)).rejects.toMatchObject({
      code: 'tls-refused',
    });
    // Without a pinned CA the system store is used, which does not know the test CA.
    await expect(new HttpsWebhookSink({ id: 'hook', url: c.url }).send(batch)).rejects.toMatchObject({ code: 'tls-refused' });
    c.server.close();
    const old = await collector([], { maxVersion: 'TLSv1.2' });
    await expect(new HttpsWebhookSink({ id: 'hook', url: old.url, ca: pki.caPem }).send(batch)).rejects.toMatchObject({
      code: 'tls-refused',
    });
    expect(old.received).toEqual([]);
    old.server.close();
  });

  it('refuses a non-https URL', () => {
    expect(() => new HttpsWebhookSink({ id: 'hook', url: 'http://siem.example/' })).toThrow(TypeError);
  });
});
