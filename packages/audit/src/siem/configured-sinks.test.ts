import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfiguredSinks } from './configured-sinks.ts';
import { HttpsWebhookSink } from './https-webhook-sink.ts';
import { NdjsonFileSink } from './ndjson-file-sink.ts';
import { MemoryShipSource } from './memory-ship-source.ts';
import { MemoryCursorStore } from './memory-cursor-store.ts';
import { Shipper } from './shipper.ts';
import { SiemError } from './siem-error.ts';
import { SyslogTlsSink } from './syslog-tls-sink.ts';

describe('createConfiguredSinks', () => {
  it('builds each kind of sink from the configuration', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-sinks-'));
    writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const sinks = createConfiguredSinks(
      [
        { kind: 'syslog-tls', id: 'rsyslog', host: '127.0.0.1', port: 6514, caFile: path.join(dir, 'ca.pem') },
        { kind: 'ocsf-file', id: 'file', path: path.join(dir, 'audit.ndjson') },
        { kind: 'ocsf-webhook', id: 'hec', url: 'https://127.0.0.1:1/raw', headersFromEnv: 'HEC' },
      ],
      { secretEnv: (name) => (name === 'HEC' ? 'Authorization: Splunk t0ken\n' : undefined) },
    );
    expect(sinks.map((s) => s.id)).toEqual(['rsyslog', 'file', 'hec']);
    expect(sinks[0]).toBeInstanceOf(SyslogTlsSink);
    expect(sinks[1]).toBeInstanceOf(NdjsonFileSink);
    expect(sinks[2]).toBeInstanceOf(HttpsWebhookSink);
  });

  it('names the missing CA file and refuses malformed header lines without echoing them', () => {
    expect(() => createConfiguredSinks([{ kind: 'syslog-tls', id: 's', host: 'h', port: 1, caFile: '/nonexistent/ca.pem' }])).toThrow(
      SiemError,
    );
    try {
      createConfiguredSinks([{ kind: 'ocsf-webhook', id: 'w', url: 'https://x', headersFromEnv: 'H' }], {
        secretEnv: () => 'secret-token-value',
      });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-token-value');
    }
  });

  it('ships a ledger source to a configured OCSF file sink end to end', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-sinks-'));
    const file = path.join(dir, 'audit.ndjson');
    const source = new MemoryShipSource();
    for (let i = 0; i < 3; i++)
      source.append({
        v: 1,
        time: '2026-11-24T00:00:00.000Z',
        actor: { kind: 'system', id: 'test' },
        action: 'key.create',
        outcome: 'success',
      });
    source.publishCheckpoint(3, 'phiguard.test/audit\n3\nAAAA\n');
    const sinks = createConfiguredSinks([{ kind: 'ocsf-file', id: 'file', path: file }]);
    const shipper = new Shipper({ source, cursors: new MemoryCursorStore(), sinks, origin: 'phiguard.test/audit' });
    await shipper.drain();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect((JSON.parse(lines[0]!) as { metadata: { uid: string } }).metadata.uid).toBe('phiguard.test/audit/0');
  });
});
