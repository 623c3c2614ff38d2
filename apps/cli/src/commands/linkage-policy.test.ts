import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-harness.ts';

// The two-person rule of re-identification is Cedar policy too, so `phiguard policy test` shows
// it: the shipped example cases (docs/policy-tests/reidentification.json) pass on the shipped policies.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

afterEach(() => {
  process.exitCode = 0;
});

describe('re-identification in Cedar (phiguard policy test)', () => {
  it('self-approval and reveals without another approver are denied by their policies', async () => {
    const result = await runCli({ cwd: repoRoot }, 'policy', 'test', path.join(repoRoot, 'docs/policy-tests/reidentification.json'));
    expect(result.out).toContain('pass  nobody approves their own request: deny (sod-no-self-approval)');
    expect(result.out).toContain('pass  no reveal approved by oneself: deny (sod-reidentify-two-people)');
    expect(result.out).toContain('pass  the requester reveals after another person approved: allow (ml-engineer-reidentification)');
    expect(result.out).toMatch(/^10\/10 cases pass$/m);
    expect(result.code).toBe(0);
  });
});
