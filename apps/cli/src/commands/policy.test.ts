import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_DIR } from '@phiguard/access';
import { runCli, type CliResult } from '../testing/cli-harness.ts';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  process.exitCode = 0;
});

function run(root: string, args: string[]): Promise<CliResult> {
  return runCli({ cwd: root }, 'policy', ...args);
}

function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'policy-cli-'));
  dirs.push(d);
  return d;
}

describe('phiguard policy', () => {
  it('validates the shipped policies, and names the problem in a bad file', async () => {
    const root = tmp();
    expect(await run(root, ['validate', DEFAULT_POLICY_DIR])).toMatchObject({ code: 0, out: expect.stringMatching(/^ok: \d+ policies/) as string });
    writeFileSync(path.join(root, 'bad.cedar'), '@id("typo")\npermit (principal in PHIGuard::Role::"admin", action == PHIGuard::Action::"dataset.raed", resource);\n');
    const bad = await run(root, ['validate', path.join(root, 'bad.cedar')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/invalid: typo: /);
  });

  it('runs test cases and fails on a wrong expectation', async () => {
    const root = tmp();
    const cases = {
      cases: [
        { name: 'annotator without grant', principal: { roles: ['annotator'] }, action: 'dataset.read', resource: { type: 'Dataset', id: 'ds_1' }, context: { purpose: 'HRESCH' }, expect: 'deny' },
        { name: 'annotator with grant', principal: { roles: ['annotator'] }, action: 'dataset.read', resource: { type: 'Dataset', id: 'ds_1' }, context: { purpose: 'HRESCH', grantedActions: ['dataset.read'] }, expect: 'allow' },
        { name: 'wrong on purpose', principal: { roles: ['auditor'] }, action: 'key.manage', resource: { type: 'Key', id: 'k' }, expect: 'allow' },
      ],
    };
    writeFileSync(path.join(root, 'cases.json'), JSON.stringify(cases));
    const result = await run(root, ['test', path.join(root, 'cases.json')]);
    expect(result.out).toContain('pass  annotator with grant: allow (grant-dataset-read)');
    expect(result.out).toContain('FAIL  wrong on purpose: deny (default deny)');
    expect(result.out).toContain('2/3 cases pass');
    expect(result.code).toBe(1);
  });
});
