import path from 'node:path';

/**
 * Where the audit ledger is shipped (docs/siem.md). Paths are files holding PEM; secrets such as
 * webhook tokens are read from the environment variable named by `headersFromEnv`, never stored here.
 */
export type SiemSinkConfig =
  | {
      readonly kind: 'syslog-tls';
      readonly id: string;
      readonly host: string;
      readonly port: number;
      readonly caFile: string;
      readonly certFile?: string;
      readonly keyFile?: string;
      readonly servername?: string;
    }
  | { readonly kind: 'ocsf-file'; readonly id: string; readonly path: string }
  | {
      readonly kind: 'ocsf-webhook';
      readonly id: string;
      readonly url: string;
      readonly caFile?: string;
      /** Name of an environment variable holding `Header: value` lines (e.g. an authorization token). */
      readonly headersFromEnv?: string;
    };

const SINK_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** Validates the `siem` list of the configuration; problems are appended, valid sinks returned. */
export function validateSiemConfig(raw: unknown, cwd: string, problems: string[]): SiemSinkConfig[] {
  if (!Array.isArray(raw)) {
    problems.push('siem must be a list of sinks');
    return [];
  }
  const sinks: SiemSinkConfig[] = [];
  const ids = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const where = `siem[${String(i)}]`;
    if (!isRecord(item) || typeof item.id !== 'string' || !SINK_ID.test(item.id) || ids.has(item.id)) {
      problems.push(`${where} needs a unique id of lowercase letters, digits and dashes`);
      return;
    }
    ids.add(item.id);
    const sink = parseSink(item, item.id, cwd);
    if (typeof sink === 'string') problems.push(`${where} ${sink}`);
    else sinks.push(sink);
  });
  return sinks;
}

function parseSink(item: Record<string, unknown>, id: string, cwd: string): SiemSinkConfig | string {
  const file = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? path.resolve(cwd, v) : undefined);
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  switch (item.kind) {
    case 'syslog-tls': {
      const caFile = file(item.caFile);
      const port = item.port;
      if (
        typeof item.host !== 'string' ||
        typeof port !== 'number' ||
        !Number.isInteger(port) ||
        port < 1 ||
        port > 65535 ||
        caFile === undefined
      ) {
        return '(syslog-tls) needs host, port and caFile';
      }
      return {
        kind: 'syslog-tls',
        id,
        host: item.host,
        port,
        caFile,
        ...optional('certFile', file(item.certFile)),
        ...optional('keyFile', file(item.keyFile)),
        ...optional('servername', text(item.servername)),
      };
    }
    case 'ocsf-file': {
      const target = file(item.path);
      return target === undefined ? '(ocsf-file) needs a path' : { kind: 'ocsf-file', id, path: target };
    }
    case 'ocsf-webhook':
      if (typeof item.url !== 'string' || !item.url.startsWith('https://')) return '(ocsf-webhook) needs an https:// url';
      return {
        kind: 'ocsf-webhook',
        id,
        url: item.url,
        ...optional('caFile', file(item.caFile)),
        ...optional('headersFromEnv', text(item.headersFromEnv)),
      };
    default:
      return 'kind must be syslog-tls, ocsf-file or ocsf-webhook';
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
