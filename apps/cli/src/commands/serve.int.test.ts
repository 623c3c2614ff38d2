import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/phiguard.js', import.meta.url));
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-'));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function get(url: string, ca: Buffer): Promise<{ status: number; body: string; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          const hsts = res.headers['strict-transport-security'];
          resolve({ status: res.statusCode ?? 0, body, hsts });
        });
      })
      .on('error', reject);
  });
}

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 180_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('npm start (serve --demo) listens on HTTPS with the embedded defaults, records the demo and ships it to a configured SIEM sink', async () => {
  const sinkFile = path.join(root, 'siem', 'audit.ocsf.ndjson');
  writeFileSync(path.join(root, 'phiguard.json'), JSON.stringify({ siem: [{ kind: 'ocsf-file', id: 'local-file', path: sinkFile }] }));
  const child = spawn(process.execPath, [bin, 'serve', '--demo', '--port', '0'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: root, PHIGUARD_CONFIG: 'phiguard.json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  try {
    const url = await waitFor(() => /listening on (https:\/\/\S+)/.exec(out)?.[1], `the listening line (stderr: ${err.slice(0, 500)})`);
    expect(out).toContain('audit: shipping to SIEM sinks local-file');
    // The demo's placement part: PHI only on the attested node under a BAA.
    expect(out).toMatch(/\(phi\): chosen h100-snp-cc/);
    // The demo's re-identification part: two people, one reveal.
    expect(out).toContain('the researcher approves their own request: refused (approval-denied)');
    const ca = readFileSync(await waitFor(() => /local CA (\S+)/.exec(out)?.[1], 'the CA line'));
    const health = await get(`${url}/healthz`, ca);
    expect(health.status).toBe(200);
    expect(health.hsts).toMatch(/max-age=\d+/);
    const lines = await waitFor(() => {
      if (!existsSync(sinkFile)) return undefined;
      const all = readFileSync(sinkFile, 'utf8').trim().split('\n');
      return all.length >= 5 ? all : undefined;
    }, 'the demo events in the SIEM file');
    const uids = lines.map((l) => (JSON.parse(l) as { metadata: { uid: string } }).metadata.uid);
    expect(uids.slice(0, 4)).toEqual([
      'phiguard.local/audit/0',
      'phiguard.local/audit/1',
      'phiguard.local/audit/2',
      'phiguard.local/audit/3',
    ]);
    expect(uids).toContain('phiguard.local/audit/checkpoint/4');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 240_000);
