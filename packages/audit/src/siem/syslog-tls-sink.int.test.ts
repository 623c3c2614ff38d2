// Integration tests against a REAL rsyslog (Debian rsyslog + rsyslog-gnutls) receiving RFC 5425
// syslog over TLS 1.3 on a loopback port, started and stopped by the tests.
import { canonicalJsonBytes } from '@phiguard/core';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditSink } from './audit-sink.ts';
import { FileCursorStore } from './file-cursor-store.ts';
import { MemoryShipSource } from './memory-ship-source.ts';
import { parseSyslog5424, type ParsedSyslog5424 } from './parse-syslog-5424.ts';
import type { ShipSource } from './ship-source.ts';
import { eventRecord, type ShippedRecord } from './shipped-record.ts';
import { Shipper, type ShipperReport } from './shipper.ts';
import { SyslogTlsSink } from './syslog-tls-sink.ts';
import { sampleEvent } from './testing/audit-event-arbitrary.ts';
import { RsyslogReceiver } from './testing/rsyslog-receiver.ts';
import { createTestPki, type TestPki } from './testing/test-pki.ts';

const ORIGIN = 'phiguard.test/int';
const SD = 'phiguard@32473';
let root: string;
let pki: TestPki;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'phiguard-rsyslog-'));
  pki = await createTestPki(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function receiverIn(name: string, priority?: string, authMode?: 'x509/certvalid'): Promise<RsyslogReceiver> {
  const dir = await mkdtemp(join(root, `${name}-`));
  return RsyslogReceiver.start({
    dir,
    pki,
    ...(priority === undefined ? {} : { priority }),
    ...(authMode === undefined ? {} : { authMode }),
  });
}

function parseAll(lines: readonly string[]): ParsedSyslog5424[] {
  return lines.map((line) => {
    const parsed = parseSyslog5424(line);
    if (parsed === undefined) throw new Error('rsyslog wrote a line that is not RFC 5424');
    return parsed;
  });
}

const idx = (m: ParsedSyslog5424): number => (m.structuredData[SD]?.kind === 'event' ? Number(m.structuredData[SD].idx) : -1);
const eventIndexes = (lines: readonly string[]): number[] =>
  parseAll(lines)
    .map(idx)
    .filter((i) => i >= 0);

/**
 * What the SIEM can check: every event 0..total-1 arrived at least once, first arrivals are in
 * order (nothing skipped), every copy of a key carries the same bytes, each checkpoint comes after
 * the events it covers.
 */
function checkReceived(messages: readonly ParsedSyslog5424[], total: number): void {
  const byKey = new Map<string, string>();
  let highest = -1;
  const first: number[] = [];
  for (const m of messages) {
    const sd = m.structuredData[SD];
    expect(sd).toBeDefined();
    if (sd === undefined) return;
    const key = sd.key ?? '';
    if (sd.kind === 'event') {
      const i = Number(sd.idx);
      expect(i).toBeLessThanOrEqual(highest + 1);
      if (i === highest + 1) first.push(i);
      highest = Math.max(highest, i);
      expect(key).toBe(`${ORIGIN}/${String(i)}`);
      expect(JSON.parse(m.msg)).toEqual(sampleEvent(i));
      expect(m.bom).toBe(true);
    } else {
      expect(sd.kind).toBe('checkpoint');
      expect(Number(sd.size)).toBeLessThanOrEqual(highest + 1);
    }
    const seen = byKey.get(key);
    if (seen !== undefined) expect(m.msg).toBe(seen); // a duplicate is the same record
    byKey.set(key, m.msg);
  }
  expect(first).toEqual(Array.from({ length: total }, (_, i) => i));
}

describe('shipping to a real rsyslog over RFC 5425 (TLS 1.3)', () => {
  it('delivers events in order with intact JSON, then the checkpoint', async () => {
    const rsyslog = await receiverIn('order');
    try {
      const source = new MemoryShipSource();
      for (let i = 0; i < 50; i++) source.append(sampleEvent(i));
      source.publishCheckpoint(50, `${ORIGIN}\n50\nAAAA\n\n— sig\n`);
      const sink = new SyslogTlsSink({
        id: 'rsyslog',
        host: 'localhost',
        port: rsyslog.port,
        ca: pki.caPem,
        format: { hostname: 'phiguard-test' },
      });
      const cursors = new FileCursorStore(join(root, 'order-cursors.json'));
      await new Shipper({ source, cursors, sinks: [sink], origin: ORIGIN, batchSize: 8 }).drain();
      await sink.close();
      const lines = await rsyslog.waitFor((l) => l.length >= 51);
      const messages = parseAll(lines);
      expect(messages).toHaveLength(51); // no duplicates without a failure
      checkReceived(messages, 50);
      expect(messages.at(-1)?.structuredData[SD]).toEqual({ kind: 'checkpoint', size: '50', key: `${ORIGIN}/checkpoint/50` });
      expect(messages[0]).toMatchObject({
        facility: 10,
        severity: 6,
        appName: 'phiguard',
        hostname: 'phiguard-test',
        msgId: 'dataset.read',
      });
    } finally {
      await rsyslog.stop();
    }
  });

  it('loses nothing when rsyslog is stopped mid-stream and restarted on the same port', async () => {
    const rsyslog = await receiverIn('outage');
    const controller = new AbortController();
    let running: Promise<void> | undefined;
    try {
      const memory = new MemoryShipSource();
      for (let i = 0; i < 400; i++) memory.append(sampleEvent(i));
      memory.publishCheckpoint(400, `${ORIGIN}\n400\nAAAA\n\n— sig\n`);
      // Paced, so that rsyslog goes down while batches are in flight; the second half waits for
      // the outage, so that on a loaded machine the shipper cannot finish before rsyslog is down.
      const { promise: outage, resolve: outageBegan } = Promise.withResolvers<undefined>();
      const source: ShipSource = {
        readFrom: async (index, max) => {
          await new Promise((r) => setTimeout(r, 5));
          if (index >= 200) await outage;
          return memory.readFrom(index, max);
        },
        latestCheckpoint: () => memory.latestCheckpoint(),
      };
      const reports: ShipperReport[] = [];
      let shippedTo = 0;
      const sink = new SyslogTlsSink({ id: 'rsyslog', host: '127.0.0.1', port: rsyslog.port, ca: pki.caPem });
      const shipper = new Shipper({
        source,
        cursors: new FileCursorStore(join(root, 'outage-cursors.json')),
        sinks: [sink],
        origin: ORIGIN,
        batchSize: 5,
        pollMs: 50,
        backoff: { initialMs: 20, maxMs: 200 },
        onReport: (r) => {
          reports.push(r);
          if (r.kind === 'shipped') shippedTo = r.to;
        },
      });
      running = shipper.run(controller.signal);
      const waitShipped = async (n: number): Promise<void> => {
        for (let i = 0; i < 800 && shippedTo < n; i++) await new Promise((r) => setTimeout(r, 10));
        expect(shippedTo).toBeGreaterThanOrEqual(n);
      };

      await waitShipped(100);
      // The outage: rsyslog shuts down (SIGTERM) while the shipper keeps sending.
      await rsyslog.stop();
      outageBegan(undefined);
      for (let i = 0; i < 400 && !reports.some((r) => r.kind === 'retry' && r.stage === 'send'); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(reports.some((r) => r.kind === 'retry' && r.stage === 'send' && r.code === 'connect-failed')).toBe(true);
      expect(shippedTo).toBeLessThan(400);
      await rsyslog.restart();
      await waitShipped(400);

      const lines = await rsyslog.waitFor((l) => new Set(eventIndexes(l)).size === 400 && l.some((x) => x.includes('kind="checkpoint"')));
      const messages = parseAll(lines);
      checkReceived(messages, 400);
      expect(sink.connections).toBeGreaterThanOrEqual(2);
    } finally {
      controller.abort();
      await running;
      await rsyslog.stop();
    }
  });

  it('resumes from the durable cursor after kill -9 of the shipper process', async () => {
    const rsyslog = await receiverIn('kill');
    const cursorPath = join(root, 'kill-cursors.json');
    const total = 300;
    try {
      const script = fileURLToPath(new URL('./testing/ship-child.ts', import.meta.url));
      const child = spawn(process.execPath, [script, String(rsyslog.port), pki.caPath, cursorPath, String(total), ORIGIN], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const cursorNow = async (): Promise<number> => {
        const text = await readFile(cursorPath, 'utf8').catch(() => '{}');
        return (JSON.parse(text) as { rsyslog?: number }).rsyslog ?? 0;
      };
      for (let i = 0; i < 800 && (await cursorNow()) < 60 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      await exited;
      expect(stderr).toBe('');
      const resumeAt = await new FileCursorStore(cursorPath).getCursor('rsyslog');
      expect(resumeAt).toBeGreaterThanOrEqual(60);
      expect(resumeAt).toBeLessThan(total);

      // A new shipper over the same cursor file, same log.
      const source = new MemoryShipSource();
      for (let i = 0; i < total; i++) source.append(sampleEvent(i));
      source.publishCheckpoint(total, `${ORIGIN}\n${String(total)}\nAAAA\n\n— sig\n`);
      const tls = new SyslogTlsSink({ id: 'rsyslog', host: '127.0.0.1', port: rsyslog.port, ca: pki.caPem });
      const firstSent: ShippedRecord[] = [];
      const sink: AuditSink = {
        id: 'rsyslog',
        send: (batch) => {
          if (firstSent.length === 0) firstSent.push(...batch);
          return tls.send(batch);
        },
        close: () => tls.close(),
      };
      await new Shipper({ source, cursors: new FileCursorStore(cursorPath), sinks: [sink], origin: ORIGIN, batchSize: 25 }).drain();
      await sink.close();
      expect(firstSent[0]).toMatchObject({ kind: 'event', index: resumeAt });

      const lines = await rsyslog.waitFor((l) => new Set(eventIndexes(l)).size === total && l.some((x) => x.includes('kind="checkpoint"')));
      checkReceived(parseAll(lines), total);
      // Below the cursor every event arrived exactly once: the restart did not start over.
      const counts = new Map<number, number>();
      for (const i of eventIndexes(lines)) counts.set(i, (counts.get(i) ?? 0) + 1);
      for (let i = 0; i < resumeAt; i++) expect(counts.get(i)).toBe(1);
    } finally {
      await rsyslog.stop();
    }
  });

  it('refuses a receiver that offers only TLS 1.2', async () => {
    const rsyslog = await receiverIn('tls12', 'NORMAL:-VERS-ALL:+VERS-TLS1.2');
    try {
      const source = new MemoryShipSource();
      source.append(sampleEvent(0));
      const sink = new SyslogTlsSink({ id: 'rsyslog', host: 'localhost', port: rsyslog.port, ca: pki.caPem });
      await expect(sink.send([])).rejects.toMatchObject({ code: 'tls-refused' });
      expect(await rsyslog.lines()).toEqual([]);
    } finally {
      await rsyslog.stop();
    }
  });

  it('authenticates with a client certificate to a receiver that requires one (mutual TLS)', async () => {
    const rsyslog = await receiverIn('mtls', undefined, 'x509/certvalid');
    try {
      const source = new MemoryShipSource();
      for (let i = 0; i < 5; i++) source.append(sampleEvent(i));
      // Without a client certificate rsyslog drops the session: nothing is accepted from it.
      const anonymous = new SyslogTlsSink({ id: 'rsyslog', host: 'localhost', port: rsyslog.port, ca: pki.caPem });
      const stray = sampleEvent(99);
      // TLS 1.3 checks the client certificate after the client's handshake ends, so this write may "succeed".
      await anonymous.send([eventRecord('anonymous.test/log', 0, stray, canonicalJsonBytes(stray))]).catch(() => undefined);
      await anonymous.close();
      const sink = new SyslogTlsSink({
        id: 'rsyslog',
        host: 'localhost',
        port: rsyslog.port,
        ca: pki.caPem,
        cert: pki.clientCertPem,
        key: pki.clientKeyPem,
      });
      await new Shipper({ source, cursors: new FileCursorStore(join(root, 'mtls-cursors.json')), sinks: [sink], origin: ORIGIN }).drain();
      await sink.close();
      const lines = await rsyslog.waitFor((l) => l.length >= 5);
      checkReceived(parseAll(lines), 5);
      expect(lines.join('\n')).not.toContain('anonymous.test');
    } finally {
      await rsyslog.stop();
    }
  });
});
