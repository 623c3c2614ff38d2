import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { isBaseError, loadConfig } from '@phiguard/core';
import { createOutputNamer, deidKeyFromSecret, type OutputNamer } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import type { Command } from 'commander';
import { buildProgram } from '../program.ts';

/** What a CLI run printed and the exit code it set (process.exitCode, 0 when unset). */
export interface CliResult {
  readonly out: string;
  readonly err: string;
  readonly code: number;
}

export interface CliRunOptions {
  /** Working folder of the run (and where `.phiguard/` config is looked up). */
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Stream the command reads prompts from. */
  readonly stdin?: CliContext['stdin'];
  /**
   * An error thrown by the command: false (default) rethrows it, as a test that expects success
   * wants; true appends it to `err`, as the process entry point would print it.
   */
  readonly catchErrors?: boolean;
}

/** A context whose stdout and stderr are captured in memory; `output()` reads them so far. */
export function capturingContext(options: Pick<CliRunOptions, 'cwd' | 'env' | 'stdin'>): { ctx: CliContext; output: () => { out: string; err: string } } {
  const env = options.env ?? {};
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ctx: CliContext = {
    version: 'test',
    cwd: options.cwd,
    env,
    stdout,
    stderr,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    config: (file) => loadConfig({ cwd: options.cwd, env, ...(file === undefined ? {} : { file }) }),
  };
  return { ctx, output: () => ({ out, err }) };
}

/** commander copies exitOverride only into commands made after it is set: set it on every one. */
function throwInsteadOfExit(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExit(sub);
  return command;
}

/** process.exitCode as a number (read through a call so TypeScript does not narrow it). */
function exitCode(): number {
  const c: unknown = process.exitCode;
  return typeof c === 'number' ? c : 0;
}

/**
 * Runs `phiguard ARGS...` in this process, as the binary would, and returns what it printed.
 * `--help` is not an error; process.exitCode is reset before and after so runs don't leak.
 */
export async function runCli(options: CliRunOptions, ...args: string[]): Promise<CliResult> {
  const { ctx, output } = capturingContext(options);
  process.exitCode = undefined;
  let thrown = '';
  try {
    await throwInsteadOfExit(buildProgram(ctx)).parseAsync(['node', 'phiguard', ...args]);
  } catch (error) {
    if ((error as { code?: string }).code !== 'commander.helpDisplayed') {
      if (options.catchErrors !== true) {
        process.exitCode = undefined;
        throw error;
      }
      thrown = String(error);
    }
  }
  const code = exitCode();
  process.exitCode = undefined;
  const { out, err } = output();
  return { out, err: err + thrown, code };
}

/** A run whose typed PHIGuard error is kept as main.ts prints it (`describe() [code]`). */
export interface TypedCliResult extends CliResult {
  readonly error: string | undefined;
}

/** As {@link runCli}, but a typed PHIGuard error becomes `error`; any other error is rethrown. */
export async function runCliTyped(options: Omit<CliRunOptions, 'catchErrors'>, ...args: string[]): Promise<TypedCliResult> {
  const { ctx, output } = capturingContext(options);
  process.exitCode = undefined;
  let error: string | undefined;
  try {
    await throwInsteadOfExit(buildProgram(ctx)).parseAsync(['node', 'phiguard', ...args]);
  } catch (e) {
    if (!isBaseError(e)) {
      process.exitCode = undefined;
      throw e;
    }
    error = `${e.describe()} [${e.code}]`;
  }
  const code = exitCode();
  process.exitCode = undefined;
  return { ...output(), code, error };
}

/** The output namer a `deid` run in `home` used (its `deid.key`): where a test finds an output under `--out`. */
export function outputNamerOf(home: string): OutputNamer {
  return createOutputNamer(deidKeyFromSecret(readFileSync(path.join(home, 'deid.key'))));
}
