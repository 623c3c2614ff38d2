import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../testing/cli-harness.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cli-jobs-'));
afterAll(() => { rmSync(root, { recursive: true, force: true }); });

function run(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runCli({ cwd: root, env, catchErrors: true }, ...args);
}

describe('phiguard jobs / nodes / agent', () => {
  it('every command has help with an example', async () => {
    for (const args of [['jobs', 'submit'], ['jobs', 'status'], ['jobs', 'logs'], ['jobs', 'cancel'], ['nodes', 'list'], ['nodes', 'register'], ['agent', 'start']]) {
      const { out } = await run({}, ...args, '--help');
      expect(out, args.join(' ')).toContain('Example');
    }
  });

  it('jobs status without a login says what to do', async () => {
    const { err, code } = await run({}, 'jobs', 'status', 'job_01j0000000000000000000000a');
    expect(code).toBe(1);
    expect(err).toContain('phiguard login');
  });

  it('agent start refuses without a server or an API key, naming the setting', async () => {
    const noServer = await run({}, 'agent', 'start');
    expect(noServer.code).toBe(1);
    expect(noServer.err).toContain('server');
    const noKey = await run({}, 'agent', 'start', '--server', 'https://localhost:8443');
    expect(noKey.err).toContain('PHIGUARD_AGENT_API_KEY');
    const plain = await run({ PHIGUARD_AGENT_API_KEY: 'phg_live_x' }, 'agent', 'start', '--server', 'http://localhost:8443');
    expect(plain.err).toContain('https://');
  });
});
