import { readFileSync } from 'node:fs';
import type { SiemSinkConfig } from '@phiguard/core';
import type { AuditSink } from './audit-sink.ts';
import { HttpsWebhookSink } from './https-webhook-sink.ts';
import { NdjsonFileSink } from './ndjson-file-sink.ts';
import { SiemError } from './siem-error.ts';
import { SyslogTlsSink } from './syslog-tls-sink.ts';

export interface ConfiguredSinkDeps {
  /** Reads a PEM file named by the configuration. */
  readonly readFile?: (file: string) => Buffer;
  /** Looks up the environment variable a webhook's `headersFromEnv` names (secrets live there). */
  readonly secretEnv?: (name: string) => string | undefined;
}

/**
 * Builds the sinks of the `siem` configuration section (docs/siem.md). Files are read once here,
 * so a missing CA fails at start-up with the file named, not at the first shipment.
 */
export function createConfiguredSinks(configs: readonly SiemSinkConfig[], deps: ConfiguredSinkDeps = {}): AuditSink[] {
  const read = (file: string, id: string): Buffer => {
    try {
      return (deps.readFile ?? readFileSync)(file);
    } catch (cause) {
      throw new SiemError('connect-failed', `cannot read a PEM file of SIEM sink ${id}`, { cause, place: { file } });
    }
  };
  return configs.map((config): AuditSink => {
    switch (config.kind) {
      case 'syslog-tls':
        return new SyslogTlsSink({
          id: config.id,
          host: config.host,
          port: config.port,
          ca: read(config.caFile, config.id),
          ...(config.certFile === undefined ? {} : { cert: read(config.certFile, config.id) }),
          ...(config.keyFile === undefined ? {} : { key: read(config.keyFile, config.id) }),
          ...(config.servername === undefined ? {} : { servername: config.servername }),
        });
      case 'ocsf-file':
        return new NdjsonFileSink({ id: config.id, path: config.path });
      case 'ocsf-webhook':
        return new HttpsWebhookSink({
          id: config.id,
          url: config.url,
          ...(config.caFile === undefined ? {} : { ca: read(config.caFile, config.id) }),
          ...(config.headersFromEnv === undefined
            ? {}
            : { headers: parseHeaderLines(deps.secretEnv?.(config.headersFromEnv) ?? '', config.id) }),
        });
    }
  });
}

/** `Name: value` lines (one per line) into a header record. Values are secrets: never echoed. */
function parseHeaderLines(text: string, id: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SiemError('rejected', `the headers variable of SIEM sink ${id} has a line without "Name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
