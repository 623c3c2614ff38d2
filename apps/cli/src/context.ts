import { loadConfig, type PhiguardConfig } from '@phiguard/core';

/** What every command gets: its streams and a way to load the configuration. No globals. */
export interface CliContext {
  readonly version: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where prompts (password, one-time code) are read from; absent: commands that prompt fail. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Loads the configuration, honouring the global `--config` flag. */
  readonly config: (configFile: string | undefined) => PhiguardConfig;
}

export function processContext(version: string): CliContext {
  return {
    version,
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    config: (file) => loadConfig({ cwd: process.cwd(), env: process.env, ...(file === undefined ? {} : { file }) }),
  };
}
