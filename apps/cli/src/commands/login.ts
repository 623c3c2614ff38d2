import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { saveCliSession } from '../remote/cli-session.ts';
import { prompter } from '../remote/prompt.ts';

/** `--server` default: the configured local server. */
export function defaultServer(ctx: CliContext, configFile: string | undefined): string {
  const fromEnv = ctx.env.PHIGUARD_SERVER;
  if (fromEnv !== undefined) return fromEnv;
  const { server } = ctx.config(configFile);
  return `https://${server.host.includes(':') ? `[${server.host}]` : server.host}:${String(server.port)}`;
}

export function registerLogin(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('Log in to a PHIGuard server: password, then a TOTP code (enrolled at first login), or password and passkey in the browser (--passkey)')
    .option('--server <url>', 'server URL (default: $PHIGUARD_SERVER, else the configured local server)')
    .option('--username <name>', 'your user name (asked when omitted)')
    .option('--ca <file>', 'CA certificate to trust (default: the embedded server\'s local CA)')
    .option('--passkey', 'log in in the browser with password and passkey (the server\'s /login page; RFC 8252 loopback redirect)')
    .option('--web', 'the same as --passkey')
    .option('--no-browser', 'with --passkey: print the login address instead of opening a browser')
    .addHelpText('after', '\nExamples:\n  $ phiguard login --username alice\n  $ phiguard login --server https://phiguard.hospital.example:8443 --username alice\n  $ phiguard login --server https://phiguard.hospital.example:8443 --passkey')
    .action(async (options: { server?: string; username?: string; ca?: string; passkey?: boolean; web?: boolean; browser: boolean }) => {
      // --server/--ca are also global options (remote commands): commander gives them to the program.
      const globals = program.opts<{ config?: string; server?: string; ca?: string }>();
      options = { ...options, ...(options.server === undefined && globals.server !== undefined ? { server: globals.server } : {}), ...(options.ca === undefined && globals.ca !== undefined ? { ca: globals.ca } : {}) };
      const config = ctx.config(globals.config);
      // The HTTPS client and the passkey flow load only when the command runs (start-up time).
      const { apiCall, describeProblem, remoteTarget } = await import('../remote/api-client.ts');
      const target = remoteTarget(options.server ?? defaultServer(ctx, globals.config), options.ca, config.home);
      if (options.passkey === true || options.web === true) {
        const { loginWithPasskey } = await import('./login-passkey.ts');
        const done = await loginWithPasskey(ctx, { target, home: config.home, openBrowser: options.browser, ...(options.ca === undefined ? {} : { caFile: options.ca }), ...(options.username === undefined ? {} : { username: options.username }) });
        if (!done) process.exitCode = 1;
        return;
      }
      if (ctx.stdin === undefined) throw new TypeError('login needs an input stream for its prompts');
      const prompt = prompter(ctx.stdin, ctx.stderr);
      try {
        const username = options.username ?? (await prompt.ask('user name: '));
        const password = await prompt.ask('password: ', true);
        const login = await apiCall(target, 'POST', '/v1/auth/login', { body: { username, password } });
        if (login.status !== 200) {
          ctx.stderr.write(`login refused: ${describeProblem(login)}\n`);
          process.exitCode = 1;
          return;
        }
        const challenge = login.body as { challengeId: string; enrolment?: { secret: string; uri: string } };
        if (challenge.enrolment !== undefined) {
          ctx.stderr.write(`First login: add this account to your authenticator app (TOTP, RFC 6238):\n  ${challenge.enrolment.uri}\n  secret: ${challenge.enrolment.secret}\n`);
        }
        const code = await prompt.ask('one-time code (or a recovery code): ');
        const mfa = await apiCall(target, 'POST', '/v1/auth/mfa', { body: { challengeId: challenge.challengeId, ...(/^\d{6}$/.test(code) ? { totp: code } : { recoveryCode: code }) } });
        if (mfa.status !== 200) {
          ctx.stderr.write(`second factor refused: ${describeProblem(mfa)}\n`);
          process.exitCode = 1;
          return;
        }
        const session = mfa.body as { sessionToken: string; idleTimeoutSeconds: number; recoveryCodes?: string[] };
        saveCliSession(config.home, { server: target.server, sessionToken: session.sessionToken, ...(options.ca === undefined ? {} : { caFile: options.ca }) });
        if (session.recoveryCodes !== undefined) {
          ctx.stderr.write(`Recovery codes (each works once; keep them offline, they are not shown again):\n${session.recoveryCodes.map((c) => `  ${c}`).join('\n')}\n`);
        }
        ctx.stdout.write(`logged in to ${target.server} (session ends after ${String(session.idleTimeoutSeconds / 60)} minutes without activity)\n`);
      } finally {
        prompt.close();
      }
    });
}
