import { spawn } from 'node:child_process';
import type { RunSpec } from '@phiguard/compute';
import type { Workspace } from './workspace.ts';

/** How a job's command ended. */
export type ProcessEnd =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'stopped'; readonly why: 'cancelled' | 'timed-out' | 'shutdown' };

export interface RunProcessOptions {
  readonly jobId: string;
  readonly spec: RunSpec;
  readonly workspace: Workspace;
  /** `process` runs the command directly; `docker`/`podman` run `spec.image` with the workspace mounted. */
  readonly runtime: 'process' | 'docker' | 'podman';
  /** Receives stdout/stderr text as it comes (the agent batches it to the server). */
  readonly onOutput: (text: string) => void;
  /** Aborting stops the job: SIGTERM to its process group, SIGKILL after `graceMs`. */
  readonly signal: AbortSignal;
  readonly graceMs?: number;
}

/** The command line for a spec: the command itself, or a container run with the workspace mounted. */
export function commandLine(o: Pick<RunProcessOptions, 'jobId' | 'spec' | 'workspace' | 'runtime'>): { file: string; args: string[]; env: Record<string, string> } {
  const jobEnv = { ...o.spec.env, PHIGUARD_JOB_ID: o.jobId };
  if (o.spec.image === undefined || o.runtime === 'process') {
    const [file = '', ...args] = o.spec.command;
    // The job sees a minimal environment: PATH and its own variables, never the agent's credentials.
    return { file, args, env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: o.workspace.dir, TMPDIR: `${o.workspace.dir}/tmp`, ...jobEnv, PHIGUARD_INPUT_DIR: o.workspace.input, PHIGUARD_OUTPUT_DIR: o.workspace.output } };
  }
  // No network inside the container: inputs come from the read-only mount, outputs go to /out.
  const envArgs = Object.entries({ ...jobEnv, PHIGUARD_INPUT_DIR: '/in', PHIGUARD_OUTPUT_DIR: '/out' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const args = ['run', '--rm', '--network', 'none', '-v', `${o.workspace.input}:/in:ro`, '-v', `${o.workspace.output}:/out`, '--tmpfs', '/tmp', ...envArgs, o.spec.image, ...o.spec.command];
  return { file: o.runtime, args, env: { PATH: '/usr/local/bin:/usr/bin:/bin' } };
}

/**
 * Runs a job's command in its own process group with the workspace in its environment
 * (`PHIGUARD_INPUT_DIR`, `PHIGUARD_OUTPUT_DIR`, `PHIGUARD_JOB_ID`) and stops the whole group when
 * the signal aborts (cancel, timeout, agent shutdown).
 */
export function runProcess(o: RunProcessOptions): Promise<ProcessEnd> {
  const { file, args, env } = commandLine(o);
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: o.workspace.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped: 'cancelled' | 'timed-out' | 'shutdown' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const group = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = (): void => {
      const reason: unknown = o.signal.reason;
      stopped = reason === 'timed-out' || reason === 'shutdown' ? reason : 'cancelled';
      group('SIGTERM');
      killTimer = setTimeout(() => { group('SIGKILL'); }, o.graceMs ?? 5_000);
    };
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', o.onOutput);
    child.stderr.setEncoding('utf8').on('data', o.onOutput);
    const finish = (end: ProcessEnd): void => {
      o.signal.removeEventListener('abort', onAbort);
      if (killTimer !== undefined) clearTimeout(killTimer);
      group('SIGKILL'); // leftovers of the group (background children) go too
      resolve(end);
    };
    child.on('error', () => { finish(stopped !== undefined ? { kind: 'stopped', why: stopped } : { kind: 'exited', exitCode: 127 }); });
    child.on('close', (code) => { finish(stopped !== undefined ? { kind: 'stopped', why: stopped } : { kind: 'exited', exitCode: code ?? 128 }); });
  });
}
