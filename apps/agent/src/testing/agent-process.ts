// Starts the real agent (bin/phiguard-agent.js) as a child process against a local control plane.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const AGENT_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/phiguard-agent.js');

export interface AgentProcess {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function startAgentProcess(o: { url: string; caFile: string; apiKey: string; workspace: string; dev: boolean; maxJobs?: number; extra?: string[] }): AgentProcess {
  const args = [AGENT_BIN, '--server', o.url, '--ca-file', o.caFile, '--workspace', o.workspace, '--poll-ms', '100', ...(o.dev ? ['--dev-insecure-local'] : []), ...(o.maxJobs === undefined ? [] : ['--max-jobs', String(o.maxJobs)]), ...(o.extra ?? [])];
  const child = spawn(process.execPath, args, { env: { PATH: '/usr/local/bin:/usr/bin:/bin', PHIGUARD_AGENT_API_KEY: o.apiKey }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  return { child, output: () => out, exited };
}
