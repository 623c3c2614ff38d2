import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { openPostgresLedgerStore, parseVerifierKey, readTrustedVerifierKeys, verifyLog } from '@phiguard/audit';
import { loadConfig, ManualClock } from '@phiguard/core';
import { afterAll, expect, it } from 'vitest';
import { runAuditDemo } from './audit-demo.ts';

const schema = `cli_demo_${randomBytes(5).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-demo-'));

afterAll(() => {
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`]);
  rmSync(root, { recursive: true, force: true });
});

it('serve --demo records audit events and prints the signed checkpoint that covers them', async () => {
  await (await openPostgresLedgerStore({ url, schema })).close();
  const config = loadConfig({ cwd: root, env: { PHIGUARD_DATABASE_URL: url } });
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  await runAuditDemo(config, new ManualClock(Date.UTC(2026, 10, 1)), out);
  expect(text).toMatch(/audit server\.start -> index 0 \(checkpoint size \d\)/);
  expect(text).toMatch(/audit dataset\.export -> index 3 \(checkpoint size 4\)/);
  expect(text).toMatch(/\n {2}phiguard\.local\/audit\n {2}4\n {2}[A-Za-z0-9+/]{43}=\n\n {2}— phiguard\.local\/audit /);
  const store = await openPostgresLedgerStore({ url });
  const report = await verifyLog(store, readTrustedVerifierKeys(config.home).map((k) => parseVerifierKey(k)));
  expect(report).toMatchObject({ ok: true, size: 4 });
  await store.close();
});
