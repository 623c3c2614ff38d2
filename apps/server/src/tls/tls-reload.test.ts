import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { buildServer } from '../build-server.ts';
import { ensureLocalTls } from './local-ca.ts';
import { readTlsOptions, watchTlsFiles } from './tls-options.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'phiguard-tls-'));
  dirs.push(d);
  return d;
};

function peerFingerprint(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

it('reloads operator-supplied certificates when the files change, without a restart', async () => {
  const a = ensureLocalTls(tmp());
  const b = ensureLocalTls(tmp());
  const live = tmp();
  const files = { cert: path.join(live, 'tls.crt'), key: path.join(live, 'tls.key') };
  copyFileSync(a.serverCert, files.cert);
  copyFileSync(a.serverKey, files.key);
  const app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), https: readTlsOptions(files) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let reloaded = 0;
  const stop = watchTlsFiles(files, (o) => {
    (app.server as unknown as tls.Server).setSecureContext(o);
    reloaded++;
  }, (e) => { throw e; });
  try {
    const before = await peerFingerprint(port, readFileSync(a.caCert));
    expect(before).toBe(new X509Certificate(readFileSync(a.serverCert)).fingerprint256);
    copyFileSync(b.serverKey, files.key);
    copyFileSync(b.serverCert, files.cert);
    for (let i = 0; i < 100 && reloaded === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(reloaded).toBeGreaterThan(0);
    expect(await peerFingerprint(port, readFileSync(b.caCert))).toBe(new X509Certificate(readFileSync(b.serverCert)).fingerprint256);
    await expect(peerFingerprint(port, readFileSync(a.caCert))).rejects.toThrow();
  } finally {
    stop();
    await app.close();
  }
});
