import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BAA_STATUSES, CONTACT_ROLES } from '@phiguard/compute';
import { loadConfig } from '@phiguard/core';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'compute-cli-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  process.exitCode = 0;
});

async function run(args: string[]): Promise<{ out: string; code: number }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (out += c.toString()));
  const ctx: CliContext = { version: 'test', cwd: root, env: {}, stdout, stderr, config: () => loadConfig({ cwd: root, env: {} }) };
  process.exitCode = 0;
  await buildProgram(ctx).parseAsync(['node', 'phiguard', ...args]);
  const code: unknown = process.exitCode;
  return { out, code: typeof code === 'number' ? code : 0 };
}

describe('phiguard providers | nodes | compute plan (embedded store)', () => {
  it('registers a provider and nodes, lists and shows them, and explains a plan', async () => {
    expect((await run(['providers', 'add', 'gpu-cloud', '--region', 'us-east', '--contact', 'privacy-officer:privacy@gpu-cloud.example', '--baa', 'signed', '--baa-effective', '2026-01-01'])).out).toMatch(/added provider gpu-cloud prov_\S+ \(BAA in force\)/);
    expect((await run(['providers', 'add', 'cheap-cloud', '--region', 'us-east'])).out).toMatch(/BAA NOT in force/);
    expect((await run(['nodes', 'add', 'h100-1', '--provider', 'gpu-cloud', '--region', 'us-east', '--gpu', 'h100', '--gpus', '1', '--gpu-memory', '80', '--memory', '256', '--tee', 'sev-snp', '--gpu-cc', 'hopper', '--disk-encryption'])).out).toMatch(/added node h100-1 node_\S+ \(1× h100, \$2\.20\/h\)/);
    expect((await run(['nodes', 'add', 'rtx-1', '--provider', 'cheap-cloud', '--region', 'us-east', '--gpu', 'rtx-4090', '--gpus', '1', '--gpu-memory', '24'])).out).toMatch(/\$0\.18\/h/);
    const list = await run(['nodes', 'list']);
    expect(list.out).toMatch(/h100-1\s+gpu-cloud .*tee sev-snp cc hopper disk encrypted \$2\.20\/h never attested/);
    expect(JSON.parse((await run(['nodes', 'show', 'rtx-1'])).out)).toMatchObject({ name: 'rtx-1', effectivePricePerHourUsd: 0.18 });

    const job = path.join(root, 'job.json');
    writeFileSync(job, JSON.stringify({ classification: 'deidentified', gpu: { count: 1 } }));
    const deid = await run(['compute', 'plan', job]);
    expect(deid.code).toBe(0);
    expect(deid.out).toMatch(/chosen rtx-1 at \$0\.18\/h/);
    writeFileSync(job, JSON.stringify({ classification: 'phi', gpu: { count: 1 } }));
    const phi = await run(['compute', 'plan', job]);
    expect(phi.code).toBe(3);
    expect(phi.out).toMatch(/no node qualifies/);
    expect(phi.out).toMatch(/- rtx-1 .*refused: .*phi-needs-valid-baa/);
    expect(phi.out).toMatch(/- h100-1 .*refused: phi-needs-gpu-cc-bound, phi-needs-verified-cpu-tee/);
    // Catalog changes and placement decisions are in the audit ledger; contact addresses are not.
    const ledger = (await run(['audit', 'search', '--limit', '50'])).out;
    const actions = ledger.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(['provider.add', 'provider.add', 'node.add', 'node.add', 'job.place', 'job.place']);
    expect(ledger).not.toContain('privacy@gpu-cloud.example');
  });

  it('names the field of bad input', async () => {
    await expect(run(['nodes', 'add', 'bad', '--provider', 'gpu-cloud', '--region', 'us-east', '--tee', 'sgx'])).rejects.toMatchObject({ code: 'invalid-input', place: { path: '$.cpuTee' } });
  });

  it('providers add --help lists every BAA status and contact role the catalog accepts (spelled out so the help loads no compute code)', () => {
    const ctx: CliContext = { version: 'test', cwd: root, env: {}, stdout: new PassThrough(), stderr: new PassThrough(), config: () => loadConfig({ cwd: root, env: {} }) };
    const add = buildProgram(ctx).commands.find((c) => c.name() === 'providers')?.commands.find((c) => c.name() === 'add');
    const help = (add?.helpInformation() ?? '').replace(/\s+/g, ' ');
    expect(help).toContain(`BAA status: ${BAA_STATUSES.join(', ')}`);
    expect(help).toContain(`a contact (${CONTACT_ROLES.join(', ')})`);
  });
});
