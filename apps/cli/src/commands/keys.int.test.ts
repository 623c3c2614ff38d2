import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-harness.ts';

// `phiguard keys` end to end: keystore under <home>/keys, events in a real ledger on PostgreSQL
// (own schema), unlock by key file so the suite does not spend time in argon2id.
const schema = `cli_keys_${randomBytes(5).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-keys-'));
const env = { PHIGUARD_DATABASE_URL: url };
const [alice, c1, c2, c3] = ['0x', '0a', '0b', '0c'].map((s) => `usr_01jd6q7k3m2n4p5r6s7t8v9w${s}`);
writeFileSync(path.join(root, 'master.key'), randomBytes(32), { mode: 0o600 });

afterAll(() => {
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', `drop schema if exists ${schema} cascade`]);
  rmSync(root, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<string> {
  return runRaw('keys', ...args, '--key-file', 'master.key');
}

async function runRaw(...args: string[]): Promise<string> {
  return (await runCli({ cwd: root, env }, ...args)).out;
}

describe('phiguard keys', () => {
  it('init, create, seal, rotate, rewrap, unseal, then dual-control destroy shreds the file', async () => {
    spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', `create schema ${schema}`]);
    const init = await run('init', '--as', alice!, '--custodian', c1!, '--custodian', c2!, '--custodian', c3!, '--threshold', '2');
    expect(init.match(/pgks1-[0-9a-f]+/g)).toHaveLength(3);
    await run('create', 'study-key', '--as', alice!);
    const data = randomBytes(700_000);
    writeFileSync(path.join(root, 'data.bin'), data);
    await run('seal', 'data.bin', '--key', 'study-key', '--context', 'dataset=ds-7', '--frame-size', '65536', '--as', alice!);
    const sealed = readFileSync(path.join(root, 'data.bin.pge'));
    expect(sealed.includes(data.subarray(0, 64))).toBe(false);
    expect(await run('rotate', 'study-key', '--as', alice!)).toContain('v2');
    expect(await run('rewrap', 'data.bin.pge', '--as', alice!)).toContain('was study-key v1');
    const rewrapped = readFileSync(path.join(root, 'data.bin.pge'));
    expect(rewrapped.subarray(rewrapped.length - 1000).equals(sealed.subarray(sealed.length - 1000))).toBe(true);
    await run('unseal', 'data.bin.pge', '-o', 'back.bin', '--as', alice!);
    expect(readFileSync(path.join(root, 'back.bin')).equals(data)).toBe(true);

    const requested = await run('request-destroy', 'study-key', '--as', alice!);
    const request = /kreq_[0-9a-z]{26}/.exec(requested)?.[0] ?? '';
    await expect(run('approve', request, '--as', alice!)).rejects.toMatchObject({ code: 'not-custodian' });
    await run('approve', request, '--as', c1!);
    await expect(run('destroy', request, '--as', alice!)).rejects.toMatchObject({ code: 'approval-required' });
    await run('approve', request, '--as', c3!);
    expect(await run('destroy', request, '--as', alice!)).toContain('versions erased: 1, 2');
    await expect(run('unseal', 'data.bin.pge', '-o', 'again.bin', '--as', alice!)).rejects.toMatchObject({ code: 'no-usable-key' });
    expect(existsSync(path.join(root, 'again.bin'))).toBe(false);
    expect(await run('list', '--as', alice!)).toMatch(/study-key\s+destroyed/);

    // The ledger names who requested and who approved; no key material anywhere in it.
    const ledger = await runRaw('audit', 'search');
    const destroy = ledger.split('\n').find((l) => l.includes('"key.destroy"') && l.includes('"success"')) ?? '';
    expect(destroy).toContain(`"approver1":"${c1!}"`);
    expect(destroy).toContain(`"approver2":"${c3!}"`);
    expect(destroy).toContain(`"id":"${alice!}"`);
    for (const action of ['key.create', 'key.rotate', 'key.rewrap', 'key.seal', 'key.unseal', 'key.request', 'key.approve', 'key.recovery-split']) expect(ledger).toContain(`"${action}"`);
  });
});
