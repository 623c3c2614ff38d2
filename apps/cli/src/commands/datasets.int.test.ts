import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-harness.ts';

// `phiguard datasets` end to end: keystore by key file, ledger and vault metadata on PostgreSQL
// (own schema), blobs under <home>/blobs.
const schema = `cli_datasets_${randomBytes(5).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-datasets-'));
const env = { PHIGUARD_DATABASE_URL: url };
const [alice, c1, c2] = ['0x', '0a', '0b'].map((s) => `usr_01jd6q7k3m2n4p5r6s7t8v9w${s}`) as [string, string, string];
writeFileSync(path.join(root, 'master.key'), randomBytes(32), { mode: 0o600 });

afterAll(() => {
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', `drop schema if exists ${schema} cascade`]);
  rmSync(root, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ out: string; err: string }> {
  return runCli({ cwd: root, env }, ...args, '--key-file', 'master.key', '--as', alice);
}

describe('phiguard datasets', () => {
  it('create, add (folder and file), list, show, versions, get, verify, hold, retention', async () => {
    spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', `create schema ${schema}`]);
    await run('keys', 'init', '--custodian', c1, '--custodian', c2, '--threshold', '2');
    await run('keys', 'create', 'dataset-key');
    expect((await run('datasets', 'create', 'chest-ct', '--key', 'dataset-key', '--retain-days', '30')).out).toContain('created chest-ct (ds_');

    mkdirSync(path.join(root, 'scans', 'series1'), { recursive: true });
    const big = randomBytes(1_500_000);
    writeFileSync(path.join(root, 'scans', 'series1', 'img1.dcm'), big);
    writeFileSync(path.join(root, 'scans', 'readme.txt'), 'two files');
    const added = await run('datasets', 'add', 'chest-ct', 'scans');
    expect(added.out).toMatch(/version 1 of chest-ct: 2 files added, manifest sha256:[0-9a-f]{64}/);
    expect(added.err).toContain('sealing: 2/2 files'); // plain progress lines when not a terminal
    writeFileSync(path.join(root, 'extra.csv'), 'a,b\n1,2\n');
    expect((await run('datasets', 'add', 'chest-ct', 'extra.csv')).out).toContain('version 2 of chest-ct');

    expect((await run('datasets', 'list')).out).toMatch(/chest-ct\s+ds_\S+\s+dataset-key/);
    const shown = (await run('datasets', 'show', 'chest-ct')).out;
    expect(shown).toContain('series1/img1.dcm');
    expect(shown).toContain('extra.csv');
    expect((await run('datasets', 'show', 'chest-ct', '--number', '1')).out).not.toContain('extra.csv');
    expect((await run('datasets', 'versions', 'chest-ct')).out.trim().split('\n')).toHaveLength(3);

    await run('datasets', 'get', 'chest-ct', '--out', 'restored');
    expect(readFileSync(path.join(root, 'restored', 'series1', 'img1.dcm')).equals(big)).toBe(true);
    expect(readFileSync(path.join(root, 'restored', 'extra.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect((await run('datasets', 'verify', 'chest-ct', '--deep')).out).toContain('OK: 2 versions, 7 blobs checked (deep)');

    expect((await run('datasets', 'hold', 'chest-ct')).out).toContain('legal hold placed');
    expect((await run('datasets', 'list')).out).toMatch(/chest-ct.*ON/);
    await expect(run('datasets', 'retention', 'chest-ct', '--days', '1')).rejects.toMatchObject({ code: 'retention-shortened' });
    expect((await run('datasets', 'retention', 'chest-ct', '--until', '2040-01-01')).out).toContain('retained until 2040-01-01');
    expect((await run('datasets', 'release-hold', 'chest-ct')).out).toContain('released');
    expect((await run('datasets', 'gc', '--min-age-hours', '0')).out).toContain('removed 0 unreferenced blobs');

    // The real ledger holds each version with its manifest hash, and no file name.
    const manifestHash = /manifest (sha256:[0-9a-f]{64})/.exec(added.out)?.[1] ?? '';
    const leaves = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-At', '-c', `select action, convert_from(leaf, 'UTF8') from ${schema}.ledger_entries order by idx`], { encoding: 'utf8' }).stdout;
    const created = leaves.split('\n').filter((l) => l.startsWith('dataset.version.create|'));
    expect(created).toHaveLength(2);
    expect(created[0]).toContain(manifestHash);
    for (const action of ['dataset.create', 'dataset.read', 'dataset.hold.place', 'dataset.hold.release', 'dataset.retention.set', 'dataset.gc']) expect(leaves).toContain(`${action}|`);
    for (const name of ['img1.dcm', 'readme.txt', 'extra.csv', 'series1']) expect(leaves).not.toContain(name);
  });

  it('every command has --help with an example', async () => {
    for (const command of ['create', 'add', 'list', 'show', 'versions', 'get', 'verify', 'hold', 'release-hold', 'retention', 'gc']) {
      const { out } = await runCli({ cwd: root, env }, 'datasets', command, '--help');
      expect(out).toContain('$ phiguard datasets');
    }
  });
});
