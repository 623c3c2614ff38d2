import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** PEM files of the embedded-mode TLS material under `<home>/tls`. */
export interface LocalTlsFiles {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

export function localTlsFiles(home: string): LocalTlsFiles {
  const dir = path.join(home, 'tls');
  return { caCert: path.join(dir, 'ca.pem'), serverCert: path.join(dir, 'server.pem'), serverKey: path.join(dir, 'server-key.pem') };
}

function ecKey(): string {
  // ECDSA P-256 (RFC 5480), generated with node:crypto.
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Embedded mode (issue 7): on first start, a local CA (10 years) and a server certificate for
 * `hosts` (397 days, the CA/Browser Forum maximum) signed by it. Keys come from node:crypto; the
 * X.509 structures from the `openssl` command (node:crypto parses certificates but cannot create
 * them; @peculiar/x509 needs a global reflect-metadata polyfill). The CA's private key is deleted
 * right after signing, so nothing else can ever be signed by this CA. Later starts reuse the files.
 */
export function ensureLocalTls(home: string, hosts: readonly string[] = ['localhost', '127.0.0.1', '::1']): LocalTlsFiles {
  const files = localTlsFiles(home);
  if (existsSync(files.caCert) && existsSync(files.serverCert) && existsSync(files.serverKey)) return files;
  mkdirSync(path.dirname(files.caCert), { recursive: true, mode: 0o700 });
  const work = mkdtempSync(path.join(path.dirname(files.caCert), '.tmp-'));
  try {
    const caKey = path.join(work, 'ca-key.pem');
    const serverKey = path.join(work, 'server-key.pem');
    writeFileSync(caKey, ecKey(), { mode: 0o600 });
    writeFileSync(serverKey, ecKey(), { mode: 0o600 });
    const openssl = (args: string[]): void => {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    };
    const caCert = path.join(work, 'ca.pem');
    openssl(['req', '-x509', '-new', '-key', caKey, '-sha256', '-days', '3650', '-subj', '/CN=PHIGuard local CA', '-out', caCert,
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash']);
    const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    const serverCert = path.join(work, 'server.pem');
    openssl(['req', '-x509', '-new', '-key', serverKey, '-CA', caCert, '-CAkey', caKey, '-sha256', '-days', '397', '-subj', '/CN=localhost', '-out', serverCert,
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth',
      '-addext', `subjectAltName=${san}`]);
    if (!new X509Certificate(readFileSync(serverCert)).checkIssued(new X509Certificate(readFileSync(caCert)))) throw new Error('openssl produced a server certificate not issued by the local CA');
    writeFileSync(files.serverKey, readFileSync(serverKey), { mode: 0o600 });
    writeFileSync(files.serverCert, readFileSync(serverCert));
    writeFileSync(files.caCert, readFileSync(caCert));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return files;
}

/** The CA certificate a client must trust to talk to an embedded-mode server. */
export function readLocalCa(home: string): string | undefined {
  const { caCert } = localTlsFiles(home);
  return existsSync(caCert) ? readFileSync(caCert, 'utf8') : undefined;
}
