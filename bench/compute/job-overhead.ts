// The PHIGuard job path against the same job run directly (issue 8 benchmark): submit-to-start
// latency and overhead_cpu = (attest + key release + unseal into tmpfs + run + seal + upload +
// complete) / (the same command on the same plaintext files in tmpfs) − 1. Workload: the radiology
// example (PyTorch on CPU) when /usr/bin/python3 has torch and pydicom, else bench/compute/cpu-job.ts.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgentProcess, startLocalControlPlane } from '@phiguard/agent/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const corpus = path.resolve(repo, '../shared/corpus');
const STEWARD = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
const DICOM = ['dicom-pydicom-testfiles/CT_small.dcm', 'dicom-pydicom-testfiles/MR_small.dcm', 'dicom-pydicom-testfiles/MR_small_bigendian.dcm', 'dicom-pydicom-testfiles/MR_small_implicit.dcm', 'dicom-pydicom-data/emri_small.dcm', 'dicom-pydicom-data/SC_rgb.dcm'];

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function runDirect(command: readonly string[], input: string, output: string): Promise<number> {
  rmSync(output, { recursive: true, force: true });
  mkdirSync(output);
  const [file = '', ...args] = command;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { PATH: '/usr/local/bin:/usr/bin:/bin', PHIGUARD_INPUT_DIR: input, PHIGUARD_OUTPUT_DIR: output, PHIGUARD_JOB_ID: 'job_direct' }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => { if (code === 0) resolve(performance.now() - start); else reject(new Error(`direct run exited ${String(code)}`)); });
  });
}

export interface JobOverhead {
  readonly metrics: Record<string, number>;
  readonly workload: string;
}

export async function measureJobOverhead(quick: boolean): Promise<JobOverhead> {
  const reps = quick ? 2 : 5;
  const classify = path.join(repo, 'examples/radiology/classify.py');
  const torch = existsSync(classify) && spawnSync('/usr/bin/python3', ['-c', 'import torch, pydicom'], { encoding: 'utf8' }).status === 0;
  const command = torch ? ['/usr/bin/python3', classify, '--device', 'cpu'] : [process.execPath, path.join(here, 'cpu-job.ts')];
  const shm = mkdtempSync('/dev/shm/phiguard-bench-compute-');
  const plain = path.join(shm, 'plain');
  mkdirSync(plain);
  const copies = quick ? 2 : 8;
  for (let c = 0; c < copies; c++) for (const rel of DICOM) copyFileSync(path.join(corpus, rel), path.join(plain, `c${String(c)}-${path.basename(rel)}`));
  const names = readdirSync(plain).sort();
  const bytes = names.reduce((n, f) => n + readFileSync(path.join(plain, f)).length, 0);

  const cp = await startLocalControlPlane({ devInsecureLocal: false, leaseMs: 10_000 });
  const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: path.join(shm, 'ws'), dev: false, extra: ['--poll-ms', '20'] });
  try {
    const input = (await cp.datasets.create({ actor: STEWARD, name: 'bench-images', keyId: 'dataset-key' })).id;
    await cp.datasets.addVersion(input, { actor: STEWARD, files: names.map((name) => ({ name, open: () => [readFileSync(path.join(plain, name))] })) });
    const output = (await cp.datasets.create({ actor: STEWARD, name: 'bench-results', keyId: 'dataset-key' })).id;
    const token = await cp.submitterToken();
    const direct: number[] = [];
    const guarded: number[] = [];
    const toStart: number[] = [];
    await runDirect(command, plain, path.join(shm, 'out')); // warm the page cache and Python's imports
    for (let r = 0; r < reps; r++) {
      direct.push(await runDirect(command, plain, path.join(shm, 'out')));
      const submitted = Date.now();
      const answer = await cp.call('POST', '/v1/jobs', { token, headers: { 'x-purpose-of-use': 'HRESCH' }, body: { classification: 'deidentified', input: { dataset: input }, output: { dataset: output }, command } });
      const id = (answer.json() as { id: string }).id;
      for (;;) {
        const job = await cp.queue.get(id);
        if (job?.state === 'succeeded') {
          // Lease to completion: attest, release, unseal, run, seal, upload, new dataset version.
          guarded.push(job.updatedMs - (job.startedMs ?? job.updatedMs));
          break;
        }
        if (job !== undefined && job.state !== 'queued' && job.state !== 'leased') throw new Error(`bench job ${job.state}: ${agent.output()}`);
        await new Promise((r2) => setTimeout(r2, 10));
      }
      const started = (await cp.ledger.search({ resourceType: 'job', resourceId: id, action: 'agent.run-started', limit: 1 }))[0];
      if (started !== undefined) toStart.push(Date.parse(started.event.time) - submitted);
    }
    const d = median(direct);
    const g = median(guarded);
    return {
      workload: torch ? `examples/radiology/classify.py --device cpu on ${String(names.length)} DICOM files (${String(bytes)} bytes)` : `bench/compute/cpu-job.ts on ${String(names.length)} files (${String(bytes)} bytes)`,
      metrics: {
        submit_to_start_ms: Math.round(median(toStart)),
        overhead_cpu: Number((g / d - 1).toFixed(4)),
        job_direct_ms: Math.round(d),
        job_phiguard_ms: Math.round(g),
        job_input_files: names.length,
      },
    };
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
    await cp.close();
    rmSync(shm, { recursive: true, force: true });
  }
}
