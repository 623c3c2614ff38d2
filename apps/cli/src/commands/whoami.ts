import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { loadCliSession } from '../remote/cli-session.ts';

export function registerWhoami(program: Command, ctx: CliContext): void {
  program
    .command('whoami')
    .description('Show who you are logged in as (id, roles) on the server of your last `phiguard login`')
    .option('--server <url>', 'only if it is the server you logged in to')
    .addHelpText('after', '\nExamples:\n  $ phiguard whoami')
    .action(async (options: { server?: string }) => {
      const globals = program.opts<{ config?: string; server?: string }>();
      // --server is also a global option (remote commands): commander gives it to the program.
      const server = options.server ?? globals.server ?? ctx.env.PHIGUARD_SERVER;
      options = server === undefined ? options : { server };
      const config = ctx.config(globals.config);
      const session = loadCliSession(config.home);
      if (session === undefined || (options.server !== undefined && options.server.replace(/\/+$/, '') !== session.server)) {
        ctx.stderr.write('not logged in: run `phiguard login` first\n');
        process.exitCode = 1;
        return;
      }
      const { apiCall, describeProblem, remoteTarget } = await import('../remote/api-client.ts');
      const target = remoteTarget(session.server, session.caFile, config.home);
      const token = await apiCall(target, 'POST', '/v1/auth/token', { bearer: session.sessionToken });
      if (token.status !== 200) {
        ctx.stderr.write(`session refused: ${describeProblem(token)}; run \`phiguard login\` again\n`);
        process.exitCode = 1;
        return;
      }
      const who = await apiCall(target, 'GET', '/v1/whoami', { bearer: (token.body as { accessToken: string }).accessToken });
      if (who.status !== 200) {
        ctx.stderr.write(`whoami failed: ${describeProblem(who)}\n`);
        process.exitCode = 1;
        return;
      }
      const me = who.body as { id: string; kind: string; roles: string[] };
      ctx.stdout.write(`${me.id} (${me.kind}) on ${session.server}\nroles: ${me.roles.join(', ') || '(none)'}\n`);
    });
}
