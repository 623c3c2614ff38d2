import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A stand-in for HashiCorp Vault's transit engine, for tests only (no Vault server exists on
 * these machines). It follows the Vault HTTP API for the endpoints the provider uses: token in
 * `X-Vault-Token`, `{data}` / `{errors}` bodies, `vault:v<N>:` + base64(nonce ‖ ciphertext ‖ tag)
 * under AES-256-GCM96 keys, upsert on encrypt, `min_decryption_version`. TLS 1.3 only, with a
 * self-signed certificate made by `openssl` for 127.0.0.1.
 */
export interface TransitTestServer {
  readonly address: string;
  readonly ca: Buffer;
  readonly token: string;
  readonly requests: string[];
  setMinDecryptionVersion(name: string, version: number): void;
  close(): Promise<void>;
}

export async function startTransitTestServer(): Promise<TransitTestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-vault-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  const cert = readFileSync(path.join(dir, 'cert.pem'));
  const key = readFileSync(path.join(dir, 'key.pem'));
  rmSync(dir, { recursive: true, force: true });
  const token = `hvs.${randomBytes(18).toString('base64url')}`;
  const keys = new Map<string, { versions: Buffer[]; min: number; created: number[] }>();
  const requests: string[] = [];

  const ensure = (name: string) => {
    let k = keys.get(name);
    if (k === undefined) {
      k = { versions: [randomBytes(32)], min: 1, created: [Math.floor(Date.now() / 1000)] };
      keys.set(name, k);
    }
    return k;
  };
  const encrypt = (name: string, plaintext: Buffer): { ciphertext: string; key_version: number } => {
    const k = ensure(name);
    const version = k.versions.length;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', k.versions[version - 1] ?? Buffer.alloc(32), nonce);
    const body = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { ciphertext: `vault:v${version}:${body.toString('base64')}`, key_version: version };
  };
  const decrypt = (name: string, ciphertext: unknown): Buffer | string => {
    const k = keys.get(name);
    if (k === undefined) return 'encryption key not found';
    const match = typeof ciphertext === 'string' ? /^vault:v(\d+):(.+)$/.exec(ciphertext) : null;
    if (match === null) return 'invalid ciphertext: no prefix';
    const version = Number(match[1]);
    if (version < k.min) return 'ciphertext or signature version is disallowed by policy (too old)';
    const material = k.versions[version - 1];
    if (material === undefined) return 'invalid key version';
    const raw = Buffer.from(match[2] ?? '', 'base64');
    try {
      const d = createDecipheriv('aes-256-gcm', material, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
    } catch {
      return 'cipher: message authentication failed';
    }
  };

  const server: Server = createServer({ cert, key, minVersion: 'TLSv1.3' }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: object): true => {
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        return true;
      };
      const url = req.url ?? '';
      requests.push(`${req.method ?? ''} ${url}`);
      if (req.headers['x-vault-token'] !== token) return send(403, { errors: ['permission denied'] });
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      } catch {
        return send(400, { errors: ['failed to parse JSON input'] });
      }
      const m = /^\/v1\/transit\/(encrypt|decrypt|rewrap|datakey\/plaintext|keys)\/([^/]+)(\/rotate)?$/.exec(url);
      if (m === null) return send(404, { errors: [] });
      const [, op, name = '', rotate] = m;
      switch (op) {
        case 'encrypt':
          return send(200, { data: encrypt(name, Buffer.from(String(body.plaintext), 'base64')) });
        case 'decrypt': {
          const out = decrypt(name, body.ciphertext);
          return typeof out === 'string' ? send(400, { errors: [out] }) : send(200, { data: { plaintext: out.toString('base64') } });
        }
        case 'rewrap': {
          const out = decrypt(name, body.ciphertext);
          return typeof out === 'string' ? send(400, { errors: [out] }) : send(200, { data: encrypt(name, out) });
        }
        case 'datakey/plaintext': {
          if (!keys.has(name)) return send(400, { errors: ['encryption key not found'] });
          const bits = Number(body.bits ?? 256);
          const dek = randomBytes(bits / 8);
          return send(200, { data: { plaintext: dek.toString('base64'), ...encrypt(name, dek) } });
        }
        default: {
          if (req.method === 'GET') {
            const k = keys.get(name);
            if (k === undefined) return send(404, { errors: [] });
            return send(200, { data: { name, type: 'aes256-gcm96', latest_version: k.versions.length, min_decryption_version: k.min, min_encryption_version: 0, deletion_allowed: false, keys: Object.fromEntries(k.created.map((t, i) => [String(i + 1), t])) } });
          }
          const k = ensure(name);
          if (rotate !== undefined) {
            k.versions.push(randomBytes(32));
            k.created.push(Math.floor(Date.now() / 1000));
          }
          res.writeHead(204).end();
          return true;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `https://127.0.0.1:${port}`,
    ca: cert,
    token,
    requests,
    setMinDecryptionVersion: (name, version) => {
      const k = keys.get(name);
      if (k !== undefined) k.min = version;
    },
    close: () => new Promise((resolve) => server.close(() => { resolve(); })),
  };
}
