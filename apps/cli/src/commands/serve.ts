import type { Command } from 'commander';
import { buildServer } from '@phiguard/server';
import { systemClock } from '@phiguard/core';
import { runAuditDemo } from '../audit/audit-demo.ts';
import type { CliContext } from '../context.ts';

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Start the PHIGuard server with the configured (default: embedded) stores')
    .option('--demo', 'load a small demo into the embedded stores and print what it did')
    .option('--port <n>', 'port to listen on (default 8443; 0 picks a free one)', (v) => Number(v))
    .addHelpText(
      'after',
      '\nExamples:\n  $ phiguard serve --demo\n  $ PHIGUARD_DATABASE_URL=postgres://127.0.0.1/phiguard phiguard serve --port 9443',
    )
    .action(async (options: { demo?: boolean; port?: number }) => {
      const globals = program.opts<{ config?: string }>();
      const config = ctx.config(globals.config);
      const app = buildServer({ version: ctx.version, isReady: () => Promise.resolve(true) });
      const address = await app.listen({ host: config.server.host, port: options.port ?? config.server.port });
      ctx.stdout.write(`PHIGuard ${ctx.version} listening on ${address}\n`);
      ctx.stdout.write(`data folder: ${config.home}\n`);
      if (options.demo === true) await runAuditDemo(config, systemClock, ctx.stdout);
      const stop = (): void => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
