import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DICOM_PROFILE_OPTIONS } from '@phiguard/deid';
import { DICOM_OPTION_HELP } from './commands/deid-dicom-command.ts';

// Start-up: building the command tree must not load what only some commands use (docs/contributing.md
// "CLI start-up"). The check is on the modules a real `phiguard` process loads, not on time.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/phiguard.js');
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-startup-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

// A module hook that writes every loaded URL to a file when the process exits.
const hook = path.join(root, 'record-loads.mjs');
writeFileSync(
  hook,
  `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const urls = [];
registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.LOADS_FILE, urls.join('\\n')));
`,
);

function loadedBy(args: readonly string[]): string[] {
  const file = path.join(root, 'loads.txt');
  const run = spawnSync(process.execPath, ['--import', hook, bin, ...args], { cwd: root, env: { ...process.env, LOADS_FILE: file, HOME: root }, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(file, 'utf8').split('\n');
}

/** Packages only some commands need: the server, the authorization engine, compute, the agent, the de-identification engines. */
const LAZY = ['/packages/deid/', '/packages/access/', '/packages/compute/', '/apps/server/', '/apps/agent/', '/fastify/', '/cedar-wasm/', '/onnxruntime', '/apps/cli/src/remote/api-client.ts', '/apps/cli/src/remote/remote-deid.ts'];

describe('phiguard start-up', () => {
  it.each([[['--help']], [['whoami', '--help']], [['deid', 'dicom', '--help']]])('%j loads none of the engines, the server or the --server client', (args) => {
    const loaded = loadedBy(args);
    expect(loaded.some((u) => u.includes('/apps/cli/src/program.ts'))).toBe(true);
    expect(loaded.filter((u) => LAZY.some((p) => u.includes(p)))).toEqual([]);
  });

  it('deid dicom --help lists every PS3.15 option the engine knows (spelled out so the help loads no engine)', () => {
    expect(DICOM_OPTION_HELP).toBe(DICOM_PROFILE_OPTIONS.join(', '));
  });
});
