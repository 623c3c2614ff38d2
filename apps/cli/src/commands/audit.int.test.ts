import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, systemClock } from '@phiguard/core';
import { openLedger, openPostgresLedgerStore, parseVerifierKey, verifyInclusion, type AuditEventInput } from '@phiguard/audit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../testing/cli-harness.ts';

// End to end over PostgreSQL (the schema is chosen through the URL's search_path option), so the
// suite stays fast; the PGlite path is the same store code (see packages/audit store tests).
const schema = `cli_audit_${randomBytes(5).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-audit-'));
const env = { PHIGUARD_DATABASE_URL: url };
const SEEDS = ['Jonathan Quimby', '078-05-1120', 'MRN00482913', '(555) 867-5309'];

function psql(sql: string): string {
  const r = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-tAc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

function run(...args: string[]): Promise<CliResult> {
  return runCli({ cwd: root, env }, ...args);
}

const id = (prefix: string, n: number): string => `${prefix}_01j${'0'.repeat(22)}${String(n)}`;

function event(n: number): AuditEventInput {
  return {
    actor: { kind: 'user', id: id('usr', n % 10) },
    action: n % 2 === 0 ? 'dataset.read' : 'key.unwrap',
    outcome: 'success',
    resources: [{ type: 'dataset', id: id('ds', n % 3) }],
  };
}

beforeAll(async () => {
  // Creates the schema and tables, then writes 300 entries through the real ledger.
  await (await openPostgresLedgerStore({ url, schema })).close();
  const ledger = await openLedger({ config: loadConfig({ cwd: root, env }), clock: systemClock });
  await Promise.all(Array.from({ length: 300 }, (_, i) => ledger.record(event(i))));
  for (const seed of SEEDS) await expect(ledger.record({ ...event(1), reason: seed })).rejects.toThrow();
  await ledger.close();
});

afterAll(() => {
  psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  process.exitCode = undefined;
});

describe('phiguard audit', () => {
  it('prints the verifier key, verifies the configured database and names an independent key', async () => {
    const key = (await run('audit', 'public-key')).out.trim();
    expect(() => parseVerifierKey(key)).not.toThrow();
    const home = await run('audit', 'verify');
    expect(home.code).toBe(0);
    expect(home.out).toMatch(/^OK .*: origin phiguard\.local\/audit, size 300, root [A-Za-z0-9+/=]{44}\n$/);
    expect(home.err).toContain('trusting the verifier keys recorded');
    const independent = await run('audit', 'verify', url, '--key', key, '--origin', 'phiguard.local/audit');
    expect(independent.out).toMatch(/^OK .*size 300/);
    expect(independent.err).not.toContain('trusting');
  });

  it('proves inclusion as JSON that checks out', async () => {
    const { out } = await run('audit', 'proof', '123');
    const p = JSON.parse(out) as { index: number; entry: { action: string; v: number }; leafHash: string; treeSize: number; root: string; proof: string[]; checkpoint: string };
    expect(p.entry).toMatchObject({ action: 'key.unwrap', v: 1 });
    const b = (s: string): Buffer => Buffer.from(s, 'base64');
    expect(verifyInclusion(b(p.leafHash), p.index, p.treeSize, p.proof.map(b), b(p.root))).toBe(true);
    expect(p.checkpoint).toContain(`\n${String(p.treeSize)}\n${p.root}\n`);
    await expect(run('audit', 'proof', '300')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('searches by actor, action, resource and time', async () => {
    const lines = (r: { out: string }): { index: number }[] => r.out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { index: number });
    const byResource = lines(await run('audit', 'search', '--resource', `dataset:${id('ds', 2)}`, '--limit', '5'));
    expect(byResource.map((e) => e.index)).toEqual([2, 5, 8, 11, 14]);
    const combined = lines(await run('audit', 'search', '--actor', id('usr', 3), '--action', 'key.unwrap', '--after', '100', '--limit', '2'));
    expect(combined.map((e) => e.index)).toEqual([103, 113]);
    expect(lines(await run('audit', 'search', '--since', '2999-01-01'))).toEqual([]);
    await expect(run('audit', 'search', '--resource', 'nocolon')).rejects.toMatchObject({ code: 'bad-argument' });
  });

  it('exports C2SP tiles that verify offline', async () => {
    const dir = path.join(root, 'tiles');
    const exp = await run('audit', 'export', dir);
    expect(exp.out).toMatch(/exported size 300/);
    expect(exp.err).toMatch(/export: \d+\/\d+/);
    const key = (await run('audit', 'public-key')).out.trim();
    const keyFile = path.join(root, 'published.vkey');
    writeFileSync(keyFile, `${key}\n`);
    const ok = await run('audit', 'verify', dir, '--key-file', keyFile);
    expect(ok.out).toMatch(/^OK .*size 300/);
  });

  it('reports a tampered row with its index and exit code 1, and never prints a seeded identifier', async () => {
    const before = psql(`SELECT encode(leaf, 'hex') FROM ${schema}.ledger_entries WHERE idx = 77`);
    psql(`UPDATE ${schema}.ledger_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'dataset.read', 'dataset.edit'), 'UTF8') WHERE idx = 76`);
    const bad = await run('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^FAILED .*first bad index 76: entry-hash-mismatch/);
    psql(`UPDATE ${schema}.ledger_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'dataset.edit', 'dataset.read'), 'UTF8') WHERE idx = 76`);
    expect((await run('audit', 'verify')).code).toBe(0);
    expect(psql(`SELECT encode(leaf, 'hex') FROM ${schema}.ledger_entries WHERE idx = 77`)).toBe(before);
    const all = psql(`SELECT string_agg(convert_from(leaf, 'UTF8'), '') FROM ${schema}.ledger_entries`) + bad.out + bad.err;
    for (const seed of SEEDS) expect(all).not.toContain(seed);
  });

  it('rotates the signer: the old key still verifies the hand-over, the new key verifies from then on', async () => {
    const oldKey = (await run('audit', 'public-key')).out.trim();
    const rotated = await run('audit', 'rotate-signer');
    const newKey = rotated.out.trim().split('\n').at(-1) ?? '';
    expect(newKey).not.toBe(oldKey);
    expect((await run('audit', 'public-key')).out.trim()).toBe(newKey);
    // The hand-over checkpoint (size 301) is signed by both keys.
    expect((await run('audit', 'verify', url, '--key', oldKey)).out).toMatch(/^OK .*size 301/);
    expect((await run('audit', 'verify', url, '--key', newKey)).out).toMatch(/^OK .*size 301/);
    const rotation = (await run('audit', 'search', '--action', 'ledger.rotate-signer')).out;
    expect(rotation).toContain('"index":300');
  });
});
