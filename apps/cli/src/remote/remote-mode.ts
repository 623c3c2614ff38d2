import type { Command } from 'commander';
import type { PurposeOfUse } from '@phiguard/audit';
import type { CliContext } from '../context.ts';
import type { ReportNameMode } from '../deid/report-names.ts';
import type { RemoteClient } from './remote-client.ts';
import { RemoteError } from './remote-error.ts';

// Start-up: the client side of `--server` (HTTPS client, session, `@phiguard/server` helpers) is
// imported only once a command runs remotely; a local command never loads it.

/** The global options every command shares: where to send it, which CA to trust, the purpose of use. */
export interface RemoteGlobals {
  readonly config?: string;
  readonly server?: string;
  readonly ca?: string;
  readonly purpose?: string;
}

/** A command running against a server: the client and the purpose of use for data routes. */
export interface Remote {
  readonly client: RemoteClient;
  readonly purpose: PurposeOfUse | undefined;
}

function rootOf(command: Command): Command {
  let c = command;
  while (c.parent !== null) c = c.parent;
  return c;
}

/** The server a command goes to: `--server URL`, else $PHIGUARD_SERVER; undefined: run locally. */
export function remoteServer(command: Command, ctx: Pick<CliContext, 'env'>): string | undefined {
  const server = rootOf(command).opts<RemoteGlobals>().server ?? ctx.env.PHIGUARD_SERVER;
  return server === undefined || server === '' ? undefined : server.replace(/\/+$/, '');
}

/**
 * Connects a command to the server it names, as the user of the stored `phiguard login` session
 * (never a flag): exchanges the session token for a minutes-long access token. The session must
 * belong to that server; `--ca FILE` (or the CA saved at login) is trusted.
 */
export async function connectRemote(command: Command, ctx: CliContext, server: string): Promise<Remote> {
  const [{ isPurposeOfUse }, { apiCall, describeProblem, remoteTarget }, { loadCliSession }, { RemoteClient }] = await Promise.all([
    import('@phiguard/audit'),
    import('./api-client.ts'),
    import('./cli-session.ts'),
    import('./remote-client.ts'),
  ]);
  const globals = rootOf(command).opts<RemoteGlobals>();
  const config = ctx.config(globals.config);
  const session = loadCliSession(config.home);
  if (session?.server !== server) {
    throw new RemoteError('not-logged-in', 'no login session for this server', { place: { field: '--server' }, hint: `run \`phiguard login --server ${server}\` first` });
  }
  const purposeText = globals.purpose ?? ctx.env.PHIGUARD_PURPOSE;
  if (purposeText !== undefined && !isPurposeOfUse(purposeText)) {
    throw new RemoteError('refused', 'unknown purpose of use (HL7 v3 ActReason code, e.g. TREAT, HOPERAT, HRESCH)', { place: { field: '--purpose' } });
  }
  const target = remoteTarget(server, globals.ca ?? session.caFile, config.home);
  const token = await apiCall(target, 'POST', '/v1/auth/token', { bearer: session.sessionToken });
  if (token.status !== 200) {
    throw new RemoteError('session-refused', `the login session was refused: ${describeProblem(token)}`, { place: { field: 'session' }, hint: `run \`phiguard login --server ${server}\` again` });
  }
  return { client: new RemoteClient(target, (token.body as { accessToken: string }).accessToken), purpose: purposeText };
}

/**
 * The action of a command that runs locally, or on the server when `--server`/$PHIGUARD_SERVER is
 * set. The local action is left exactly as it was; `--as` (an unauthenticated local claim) is
 * refused remotely, where the acting principal is the logged-in user.
 */
export function localOrRemote<A extends unknown[]>(
  ctx: CliContext,
  local: (...args: A) => Promise<void> | void,
  remote: (r: Remote, ...args: A) => Promise<void>,
): (this: Command, ...args: A) => Promise<void> {
  return async function (this: Command, ...args: A): Promise<void> {
    const server = remoteServer(this, ctx);
    if (server === undefined) {
      await local(...args);
      return;
    }
    const options = this.opts<{ as?: string; keyFile?: string }>();
    if (options.as !== undefined) throw new RemoteError('local-only', '--as is for local use: on a server you act as the user you logged in as', { place: { field: '--as' } });
    await remote(await connectRemote(this, ctx, server), ...args);
  };
}

/**
 * The remote actions of a command group, loaded on first use: `lazyRemote(() => import(...))`
 * gives an object with the same methods that imports the module only when a method is called,
 * i.e. only when `--server` is given.
 */
export function lazyRemote<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  return new Proxy({} as T, {
    // Not a thenable (`then`) and no symbol keys: only the named actions are functions.
    get: (_target, key) =>
      typeof key !== 'string' || key === 'then'
        ? undefined
        : async (...args: unknown[]): Promise<unknown> => {
            loaded ??= load();
            const actions = await loaded;
            const action = actions[key as keyof T];
            if (typeof action !== 'function') throw new TypeError(`no remote action ${key}`);
            return (action as (...a: unknown[]) => Promise<unknown>)(...args);
          },
  });
}

/**
 * `phiguard deid <format> … --server URL`: runs the batch on the server and returns true, or
 * returns false without loading any remote code when no server is named (the caller runs locally).
 */
export async function deidRemotely(
  ctx: CliContext,
  command: Command,
  format: string,
  inputs: readonly string[],
  options: { readonly out: string; readonly profile: string; readonly names?: 'pseudonymize' | 'keep'; readonly reportNames?: ReportNameMode },
): Promise<boolean> {
  if (remoteServer(command, ctx) === undefined) return false;
  const { runDeidRemotely } = await import('./remote-deid.ts');
  return runDeidRemotely(ctx, command, format, inputs, options);
}

/** Fails a command that only exists locally when a server is named. */
export function localOnly(command: Command, ctx: CliContext, why: string): void {
  command.hook('preAction', (_root, action) => {
    if (remoteServer(action, ctx) !== undefined) throw new RemoteError('local-only', `this command runs locally only: ${why}`, { place: { field: '--server' } });
  });
}
