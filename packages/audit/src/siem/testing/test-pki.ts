import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a throw-away PKI made with GnuTLS `certtool` (Debian gnutls-bin), for tests. */
export interface TestPki {
  readonly caPath: string;
  readonly caPem: string;
  /** localhost / 127.0.0.1 server certificate signed by the CA. */
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** A TLS client certificate signed by the CA (mutual TLS). */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** A second, unrelated CA: certificates it does not sign must be refused. */
  readonly otherCaPem: string;
}

async function certtool(args: readonly string[]): Promise<void> {
  await run('certtool', [...args], { timeout: 20_000 });
}

async function key(dir: string, name: string): Promise<string> {
  const path = join(dir, `${name}.key`);
  await certtool(['--generate-privkey', '--key-type=ecdsa', '--outfile', path]);
  return path;
}

async function template(dir: string, name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, `${name}.tmpl`);
  await writeFile(path, `${lines.join('\n')}\nexpiration_days = 2\n`);
  return path;
}

/** Creates a CA, a server and a client certificate, and an unrelated CA in `dir`. */
export async function createTestPki(dir: string): Promise<TestPki> {
  const ca = async (name: string): Promise<[string, string]> => {
    const k = await key(dir, name);
    const out = join(dir, `${name}.pem`);
    await certtool(['--generate-self-signed', '--load-privkey', k, '--template', await template(dir, name, [`cn = "${name}"`, 'ca', 'cert_signing_key']), '--outfile', out]);
    return [k, out];
  };
  const [caKey, caPath] = await ca('phiguard-test-ca');
  const [, otherCaPath] = await ca('other-ca');
  const leaf = async (name: string, lines: readonly string[]): Promise<[string, string]> => {
    const k = await key(dir, name);
    const out = join(dir, `${name}.pem`);
    await certtool([
      '--generate-certificate',
      '--load-privkey',
      k,
      '--load-ca-certificate',
      caPath,
      '--load-ca-privkey',
      caKey,
      '--template',
      await template(dir, name, lines),
      '--outfile',
      out,
    ]);
    return [k, out];
  };
  const [serverKeyPath, serverCertPath] = await leaf('server', ['cn = "localhost"', 'dns_name = "localhost"', 'ip_address = "127.0.0.1"', 'tls_www_server', 'signing_key']);
  const [clientKeyPath, clientCertPath] = await leaf('client', ['cn = "phiguard-shipper"', 'tls_www_client', 'signing_key']);
  const text = (p: string): Promise<string> => readFile(p, 'utf8');
  return {
    caPath,
    caPem: await text(caPath),
    serverCertPath,
    serverKeyPath,
    serverCertPem: await text(serverCertPath),
    serverKeyPem: await text(serverKeyPath),
    clientCertPem: await text(clientCertPath),
    clientKeyPem: await text(clientKeyPath),
    otherCaPem: await text(otherCaPath),
  };
}
