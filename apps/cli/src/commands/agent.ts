import type { Command } from 'commander';
import { isBaseError } from '@phiguard/core';
import type { CliContext } from '../context.ts';

interface StartOptions {
  server?: string;
  caFile?: string;
  collector?: string;
  workspace?: string;
  runtime?: string;
  devInsecureLocal?: boolean;
  maxJobs?: string;
  pollMs?: string;
  jobId?: string;
}

/** `phiguard agent start`: the GPU node agent (same as the `phiguard-agent` command of @phiguard/agent). */
export function registerAgent(program: Command, ctx: CliContext): void {
  const agent = program.command('agent').description('Run the GPU node agent on this machine')
    .addHelpText('after', '\nExample:\n  $ PHIGUARD_AGENT_API_KEY=phg_live_… phiguard agent start --server https://phiguard.internal:8443 --collector sev-snp');
  agent.command('start').description('Attest, pull jobs, unseal inputs in memory (tmpfs), run, seal and upload outputs; the API key comes from PHIGUARD_AGENT_API_KEY')
    .option('--server <url>', 'https://host:port of the PHIGuard server (PHIGUARD_AGENT_SERVER)')
    .option('--ca-file <file>', 'CA certificate of the server (PHIGUARD_AGENT_CA)')
    .option('--collector <kind>', 'insecure-local | sev-snp | tdx', 'insecure-local')
    .option('--workspace <dir>', 'tmpfs folder for job workspaces', '/dev/shm/phiguard-agent')
    .option('--runtime <r>', 'process | docker | podman (jobs with an image)', 'process')
    .option('--dev-insecure-local', 'DEVELOPMENT ONLY: PHI without a TEE, disk-backed workspace allowed')
    .option('--max-jobs <n>', 'stop after N jobs')
    .option('--job-id <id>', 'lease only this job, then stop (PHIGUARD_AGENT_JOB_ID)')
    .option('--poll-ms <ms>', 'wait between pulls when idle', '2000')
    .addHelpText('after', '\nExamples:\n  $ PHIGUARD_AGENT_API_KEY=phg_live_… phiguard agent start --server https://localhost:8443 --ca-file .phiguard/tls/ca.crt\n  $ phiguard agent start --server https://localhost:8443 --dev-insecure-local   # laptop, never production')
    .action(async (options: StartOptions) => {
      const shutdown = new AbortController();
      const stop = (): void => { shutdown.abort('shutdown'); };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      try {
        // `--server` may be taken by the program-wide option of remote mode: accept it from there too.
        const server = options.server ?? program.opts<{ server?: string }>().server;
        const { loadAgentConfig, runAgent } = await import('@phiguard/agent'); // loaded only for this command (start-up)
        const config = loadAgentConfig({ ...options, ...(server === undefined ? {} : { server }), devInsecureLocal: options.devInsecureLocal === true }, ctx.env);
        await runAgent(config, (text) => { ctx.stderr.write(`${new Date().toISOString()} ${text}\n`); }, shutdown.signal);
      } catch (error) {
        ctx.stderr.write(`phiguard agent: ${isBaseError(error) ? error.describe() : 'unexpected error'}\n`);
        process.exitCode = 1;
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      }
    });
}
