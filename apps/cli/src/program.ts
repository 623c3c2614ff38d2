import { Command } from 'commander';
import type { CliContext } from './context.ts';
import { registerServe } from './commands/serve.ts';
import { registerAudit } from './commands/audit.ts';
import { registerDeid } from './commands/deid.ts';
import { registerEval } from './commands/eval-command.ts';
import { registerKeys } from './commands/keys.ts';
import { registerDatasets } from './commands/datasets.ts';
import { registerLinkage } from './commands/linkage.ts';
import { registerPolicy } from './commands/policy.ts';
import { registerCompute } from './commands/compute.ts';
import { registerLogin } from './commands/login.ts';
import { registerWhoami } from './commands/whoami.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerNodes } from './commands/nodes.ts';
import { registerAgent } from './commands/agent.ts';

/**
 * The `phiguard` command tree. Each command group lives in `commands/<group>.ts` and exports a
 * `registerX(program, ctx)` function; add yours to the list below.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('phiguard')
    .description('PHIGuard: de-identify, seal, audit and run AI work on Protected Health Information safely.')
    .version(ctx.version)
    .option('--config <file>', 'JSON config file (default: $PHIGUARD_CONFIG, else embedded defaults under ./.phiguard)')
    .option('--server <url>', 'run the command on this PHIGuard server as your `phiguard login` user (default: $PHIGUARD_SERVER; unset: locally)')
    .option('--ca <file>', 'CA certificate to trust for --server (default: the one given at login, else the embedded local CA)')
    .option('--purpose <code>', 'purpose of use for data commands on a server (HL7 v3 ActReason: TREAT, HOPERAT, HRESCH, ...; default $PHIGUARD_PURPOSE)')
    .showHelpAfterError('(run with --help for usage and examples)')
    .addHelpText(
      'after',
      `
Examples:
  $ phiguard serve --demo                 start with embedded defaults and load a small demo
  $ phiguard audit verify .phiguard/db    verify the embedded audit ledger
  $ phiguard --server https://phiguard.example:8443 --purpose HRESCH datasets list   the same command on a server
  $ phiguard <command> --help             every command has its own help with examples`,
    );
  program.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  registerServe(program, ctx);
  registerAudit(program, ctx);
  registerDeid(program, ctx);
  registerEval(program, ctx);
  registerKeys(program, ctx);
  registerDatasets(program, ctx);
  registerLinkage(program, ctx);
  registerPolicy(program, ctx);
  registerCompute(program, ctx);
  registerLogin(program, ctx);
  registerWhoami(program, ctx);
  registerJobs(program, ctx);
  registerNodes(program, ctx);
  registerAgent(program, ctx);
  return program;
}
