import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What `phiguard login` keeps for later commands: the server and the session token (mode 0600). */
export interface CliSession {
  readonly server: string;
  readonly sessionToken: string;
  readonly caFile?: string;
}

export function cliSessionFile(home: string): string {
  return path.join(home, 'cli-session.json');
}

export function saveCliSession(home: string, session: CliSession): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(cliSessionFile(home), `${JSON.stringify(session)}\n`, { mode: 0o600 });
}

export function loadCliSession(home: string): CliSession | undefined {
  const file = cliSessionFile(home);
  if (!existsSync(file)) return undefined;
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<CliSession>;
  return typeof value.server === 'string' && typeof value.sessionToken === 'string' ? (value as CliSession) : undefined;
}

export function forgetCliSession(home: string): void {
  rmSync(cliSessionFile(home), { force: true });
}
