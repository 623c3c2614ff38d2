// phiguard-agent: the GPU node agent's command line (composition root: flags and environment → config).
import { parseArgs } from 'node:util';
import { isBaseError } from '@phiguard/core';
import { loadAgentConfig } from './agent-config.ts';
import { runAgent } from './agent.ts';

const HELP = `Usage: phiguard-agent [options]

Runs jobs from a PHIGuard server on this node: attest, unseal inputs in memory, run, seal outputs.
The service account's API key is read from PHIGUARD_AGENT_API_KEY.

Options:
  --server URL            https://host:port of the PHIGuard server (PHIGUARD_AGENT_SERVER)
  --ca-file FILE          CA certificate of the server (PHIGUARD_AGENT_CA)
  --collector KIND        insecure-local | sev-snp | tdx (default insecure-local)
  --gpu-collector KIND    none | nvidia-cc | file: NVIDIA evidence for GPU jobs (PHIGUARD_AGENT_GPU_COLLECTOR;
                          nvidia-cc runs PHIGUARD_AGENT_NVIDIA_HELPER, default phiguard-nvml-report; file reads
                          PHIGUARD_AGENT_GPU_REPORT_FILE and PHIGUARD_AGENT_GPU_CERT_CHAIN_FILE, replay tests only)
  --workspace DIR         tmpfs folder for job workspaces (default /dev/shm/phiguard-agent)
  --runtime R             process | docker | podman, for jobs with an image (default process)
  --dev-insecure-local    DEVELOPMENT ONLY: PHI without a TEE, disk-backed workspace allowed
  --max-jobs N            stop after N jobs
  --job-id ID             lease only this job, then stop (PHIGUARD_AGENT_JOB_ID; a pod made for one job)
  --poll-ms MS            wait between pulls when idle (default 2000)

Example:
  $ PHIGUARD_AGENT_API_KEY=phg_live_… phiguard-agent --server https://phiguard.internal:8443 --collector sev-snp
`;

const { values } = parseArgs({
  options: {
    server: { type: 'string' }, 'ca-file': { type: 'string' }, collector: { type: 'string' }, 'gpu-collector': { type: 'string' }, workspace: { type: 'string' }, runtime: { type: 'string' },
    'dev-insecure-local': { type: 'boolean' }, 'max-jobs': { type: 'string' }, 'job-id': { type: 'string' }, 'poll-ms': { type: 'string' }, help: { type: 'boolean' },
  },
});
if (values.help === true) {
  process.stdout.write(HELP);
} else {
  const shutdown = new AbortController();
  process.on('SIGTERM', () => { shutdown.abort('shutdown'); });
  process.on('SIGINT', () => { shutdown.abort('shutdown'); });
  try {
    const config = loadAgentConfig({
      ...(values.server === undefined ? {} : { server: values.server }), ...(values['ca-file'] === undefined ? {} : { caFile: values['ca-file'] }),
      ...(values.collector === undefined ? {} : { collector: values.collector }), ...(values['gpu-collector'] === undefined ? {} : { gpuCollector: values['gpu-collector'] }), ...(values.workspace === undefined ? {} : { workspace: values.workspace }),
      ...(values.runtime === undefined ? {} : { runtime: values.runtime }), devInsecureLocal: values['dev-insecure-local'] === true,
      ...(values['max-jobs'] === undefined ? {} : { maxJobs: values['max-jobs'] }), ...(values['job-id'] === undefined ? {} : { jobId: values['job-id'] }), ...(values['poll-ms'] === undefined ? {} : { pollMs: values['poll-ms'] }),
    }, process.env);
    await runAgent(config, (line) => { process.stderr.write(`${new Date().toISOString()} ${line}\n`); }, shutdown.signal);
  } catch (error) {
    process.stderr.write(`phiguard-agent: ${isBaseError(error) ? error.describe() : 'unexpected error'}\n`);
    process.exitCode = 1;
  }
}
