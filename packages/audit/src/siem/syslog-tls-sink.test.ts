import { canonicalJsonBytes } from '@phiguard/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitOctetCounted } from './octet-counting.ts';
import { parseSyslog5424 } from './parse-syslog-5424.ts';
import { eventRecord, type ShippedRecord } from './shipped-record.ts';
import { SiemError } from './siem-error.ts';
import { SyslogTlsSink } from './syslog-tls-sink.ts';
import { sampleEvent } from './testing/audit-event-arbitrary.ts';
import { createTestPki, type TestPki } from './testing/test-pki.ts';

const ORIGIN = 'phiguard.test/log';
let dir: string;
let pki: TestPki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phiguard-tls-'));
  pki = await createTestPki(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function records(from: number, count: number): ShippedRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const event = sampleEvent(from + k);
    return eventRecord(ORIGIN, from + k, event, canonicalJsonBytes(event));
  });
}

interface Receiver {
  readonly server: Server;
  readonly port: number;
  /** SD `key` of every frame received, per connection. */
  readonly connections: string[][];
  /** Closes the listener and destroys every open connection, as a crashed receiver would. */
  shutdown(): Promise<void>;
}

/** A Node TLS receiver that parses the octet-counted RFC 5424 frames it gets. */
async function receiver(options: TlsOptions, port = 0): Promise<Receiver> {
  const connections: string[][] = [];
  const sockets = new Set<TLSSocket>();
  const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem, ...options }, (socket) => {
    sockets.add(socket);
    const keys: string[] = [];
    connections.push(keys);
    let rest: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const split = splitOctetCounted(Buffer.concat([rest, chunk]));
      rest = split.rest;
      for (const frame of split.frames) keys.push(parseSyslog5424(frame)?.structuredData['phiguard@32473']?.key ?? 'unparsable');
    });
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address !== null ? address.port : 0,
    connections,
    shutdown: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('SyslogTlsSink (RFC 5425)', () => {
  it('sends octet-counted RFC 5424 frames in order over mutual TLS 1.3', async () => {
    const r = await receiver({ ca: pki.caPem, requestCert: true, rejectUnauthorized: true });
    const sink = new SyslogTlsSink({
      id: 'syslog',
      host: '127.0.0.1',
      port: r.port,
      ca: pki.caPem,
      cert: pki.clientCertPem,
      key: pki.clientKeyPem,
    });
    await sink.send(records(0, 3));
    await sink.send(records(3, 2));
    await until(() => r.connections[0]?.length === 5);
    expect(r.connections[0]).toEqual([0, 1, 2, 3, 4].map((i) => `${ORIGIN}/${String(i)}`));
    expect(sink.connections).toBe(1);
    await sink.close();
    await expect(sink.send(records(5, 1))).rejects.toMatchObject({ code: 'closed' });
    await r.shutdown();
  });

  it('refuses a receiver whose certificate another CA signed, or that names another host', async () => {
    const r = await receiver({});
    const wrongCa = new SyslogTlsSink({ id: 's', host: '127.0.0.1', port: r.port, ca: pki.otherCaPem });
    await expect(wrongCa.send(records(0, 1))).rejects.toMatchObject({ code: 'tls-refused' });
    const wrongName = new SyslogTlsSink({ id: 's', host: '127.0.0.1', port: r.port, ca: pki.caPem, servername: 'siem.example' });
    await expect(wrongName.send(records(0, 1))).rejects.toMatchObject({ code: 'tls-refused' });
    expect(r.connections).toEqual([]);
    await r.shutdown();
  });

  it('refuses a TLS 1.2-only receiver', async () => {
    const r = await receiver({ maxVersion: 'TLSv1.2' });
    const sink = new SyslogTlsSink({ id: 's', host: 'localhost', port: r.port, ca: pki.caPem });
    const error = await sink.send(records(0, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiemError);
    expect((error as SiemError).code).toBe('tls-refused');
    expect(r.connections).toEqual([]);
    await r.shutdown();
  });

  it('reports an unreachable receiver as connect-failed', async () => {
    const r = await receiver({});
    const { port } = r;
    await r.shutdown();
    const sink = new SyslogTlsSink({ id: 's', host: '127.0.0.1', port, ca: pki.caPem });
    await expect(sink.send(records(0, 1))).rejects.toMatchObject({ code: 'connect-failed' });
  });

  it('gives up a connection whose receiver stopped reading, instead of hanging', async () => {
    const r = await receiver({});
    r.server.on('secureConnection', (socket: TLSSocket) => {
      socket.pause(); // reads nothing: the TCP window fills up
    });
    const sink = new SyslogTlsSink({ id: 's', host: '127.0.0.1', port: r.port, ca: pki.caPem, writeTimeoutMs: 300 });
    const big = records(0, 1);
    // ~64 MiB in one batch: far beyond what loopback socket buffers hold.
    const batch = Array.from({ length: 160_000 }, () => big).flat();
    await expect(sink.send(batch)).rejects.toMatchObject({ code: 'connection-lost' });
    await sink.close();
    await r.shutdown();
  });

  it('after the receiver drops the connection, reconnects and replays the recent window first', async () => {
    const r = await receiver({});
    const sink = new SyslogTlsSink({ id: 's', host: '127.0.0.1', port: r.port, ca: pki.caPem });
    await sink.send(records(0, 2));
    await until(() => r.connections[0]?.length === 2);
    // The receiver goes away mid-stream and comes back on the same port.
    await r.shutdown();
    const second = await receiver({}, r.port);
    let next = 2;
    // Sends to the dead connection fail or vanish; keep shipping until a new connection is up.
    for (let i = 0; i < 50 && second.connections.length === 0; i++) {
      await sink.send(records(next, 1)).then(
        () => (next += 1),
        () => undefined,
      );
    }
    await until(() => second.connections[0]?.includes(`${ORIGIN}/${String(next - 1)}`) === true);
    // The new connection starts with the replayed window: from the very first record on.
    expect(second.connections[0]?.[0]).toBe(`${ORIGIN}/0`);
    const all = new Set([...(r.connections[0] ?? []), ...(second.connections[0] ?? [])]);
    for (let i = 0; i < next; i++) expect(all.has(`${ORIGIN}/${String(i)}`)).toBe(true);
    await sink.close();
    await second.shutdown();
  });

  it('bounds the replay window by replayWindowBytes (keeping at least the last frame)', async () => {
    const r = await receiver({});
    const sink = new SyslogTlsSink({ id: 's', host: '127.0.0.1', port: r.port, ca: pki.caPem, replayWindowBytes: 1 });
    await sink.send(records(0, 2));
    await until(() => r.connections[0]?.length === 2);
    await r.shutdown();
    const second = await receiver({}, r.port);
    let next = 2;
    // Until the sink has opened its second connection (the send that did so succeeded).
    for (let i = 0; i < 50 && sink.connections < 2; i++) {
      await sink.send(records(next, 1)).then(
        () => (next += 1),
        () => undefined,
      );
    }
    expect(sink.connections).toBe(2);
    await until(() => (second.connections[0]?.length ?? 0) >= 2);
    // Only the frame written last before the reconnect is replayed, then the new one.
    expect(second.connections[0]).toEqual([`${ORIGIN}/${String(next - 2)}`, `${ORIGIN}/${String(next - 1)}`]);
    await sink.close();
    await second.shutdown();
  });
});
