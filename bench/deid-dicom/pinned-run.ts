// Runs a command as a child process, timed: wall seconds, and CPU seconds (user + sys of the child
// and everything it waits for, from bash's `times`), so start-up is counted as users pay it.
import { spawnSync } from 'node:child_process';

export interface TimedRun {
  readonly ok: boolean;
  readonly seconds: number;
  readonly cpu: number;
}

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** `argv` run through bash with `pin` (e.g. `taskset -c 0`) in front; output discarded. */
export function timedRun(pin: readonly string[], argv: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): TimedRun {
  const command = `${[...pin, ...argv].map(quote).join(' ')} >/dev/null 2>&1; rc=$?; times; exit $rc`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', ...(options.cwd === undefined ? {} : { cwd: options.cwd }), ...(options.env === undefined ? {} : { env: options.env }) });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // `times` prints the shell's then its children's user/sys as `XmY.YYYs XmY.YYYs`.
  const child = r.stdout.trim().split('\n').at(-1) ?? '';
  const cpu = [...child.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { ok: r.status === 0, seconds, cpu };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
