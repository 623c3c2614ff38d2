import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to an embedded PGlite folder under ./.phiguard and is frozen', () => {
    const config = loadConfig({ cwd: '/srv/x', env: {} });
    expect(config.home).toBe('/srv/x/.phiguard');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/x/.phiguard/db' });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(Object.isFrozen(config.ledger)).toBe(true);
  });

  it('layers file < environment < overrides', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-config-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ server: { port: 9000 }, ledger: { origin: 'from.file/log' } }));
    const config = loadConfig({
      cwd: dir,
      env: { PHIGUARD_CONFIG: 'c.json', PHIGUARD_DATABASE_URL: 'postgres://127.0.0.1/test', PHIGUARD_PORT: '9001' },
      overrides: { server: { host: '0.0.0.0' } },
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://127.0.0.1/test' });
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9001 });
    expect(config.ledger.origin).toBe('from.file/log');
  });

  it('names what is wrong', () => {
    expect(() => loadConfig({ cwd: '/', env: { PHIGUARD_PORT: '70000' } })).toThrow(/port/);
    const error = (() => {
      try {
        loadConfig({ cwd: '/', env: {}, file: '/nonexistent/c.json' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('config-unreadable');
    expect((error as ConfigError).place?.file).toBe('/nonexistent/c.json');
  });
});

describe('loadConfig siem', () => {
  it('reads sinks from the config file, resolving paths, and refuses bad ones', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-config-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        siem: [
          { kind: 'syslog-tls', id: 'rsyslog', host: 'siem.example.org', port: 6514, caFile: 'ca.pem' },
          { kind: 'ocsf-file', id: 'splunk-uf', path: 'audit.ocsf.ndjson' },
          { kind: 'ocsf-webhook', id: 'hec', url: 'https://hec.example.org/raw', headersFromEnv: 'PHIGUARD_HEC_HEADERS' },
        ],
      }),
    );
    const config = loadConfig({ cwd: dir, env: {}, file });
    expect(config.siem.map((s) => s.kind)).toEqual(['syslog-tls', 'ocsf-file', 'ocsf-webhook']);
    expect(config.siem[0]).toMatchObject({ caFile: path.join(dir, 'ca.pem') });
    expect(loadConfig({ cwd: dir, env: {} }).siem).toEqual([]);
    writeFileSync(
      file,
      JSON.stringify({
        siem: [
          { kind: 'ocsf-webhook', id: 'x', url: 'http://plain' },
          { kind: 'ocsf-file', id: 'x', path: 'a' },
        ],
      }),
    );
    expect(() => loadConfig({ cwd: dir, env: {}, file })).toThrow(/https:\/\/ url.*unique id/);
  });
});
