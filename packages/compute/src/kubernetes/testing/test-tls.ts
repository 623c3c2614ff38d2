import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throw-away CA and a `localhost`/`127.0.0.1` server certificate, made with the `openssl` command (Debian). */
export interface TestTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export function makeTestTls(): TestTls {
  const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-k8s-tls-'));
  try {
    const file = (name: string): string => path.join(dir, name);
    const openssl = (args: readonly string[]): void => {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    };
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('ca-key.pem'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=stand-in CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('key.pem'), '-out', file('cert.pem'), '-days', '2', '-subj', '/CN=localhost',
      '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'extendedKeyUsage=serverAuth']);
    return { caPem: readFileSync(file('ca.pem'), 'utf8'), certPem: readFileSync(file('cert.pem'), 'utf8'), keyPem: readFileSync(file('key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
