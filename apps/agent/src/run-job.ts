import { generateNodeKeyPair, openSealedKeys, ReleasedKeyProvider, type DataKey, type ReleasedInput, type RunSpec, type SealedKeys, type WireEvidence } from '@phiguard/compute';
import { isBaseError } from '@phiguard/core';
import { AgentError } from './agent-error.ts';
import type { AgentConfig } from './agent-config.ts';
import { problemCode, type ControlPlaneClient } from './control-plane-client.ts';
import type { EvidenceCollector } from './evidence/evidence-collector.ts';
import type { GpuEvidenceCollector } from './evidence/gpu-evidence-collector.ts';
import { fetchInputs, uploadOutputs } from './job-io.ts';
import { runProcess, type ProcessEnd } from './job-process.ts';
import { JobReporter } from './job-reporter.ts';
import { Workspace } from './workspace.ts';

/** A leased job as the pull route answers it. */
export interface Lease {
  readonly jobId: string;
  readonly token: string;
  readonly attempt: number;
  readonly spec: RunSpec;
  readonly deadlineMs: number;
  readonly leaseMs: number;
  readonly uploadKey: string;
}

export type JobOutcome = 'completed' | 'failed' | 'refused' | 'cancelled' | 'timed-out' | 'shutdown' | 'lost';

export interface RunJobDeps {
  readonly client: ControlPlaneClient;
  readonly collector: EvidenceCollector;
  /** Asked for NVIDIA evidence bound to the same nonce and key when the job has `gpu.count > 0`. */
  readonly gpuCollector?: GpuEvidenceCollector;
  readonly config: AgentConfig;
  /** Operator log lines (ids and codes only). */
  readonly say: (line: string) => void;
  /** Aborted with reason `shutdown` when the agent is asked to stop (SIGTERM). */
  readonly shutdown: AbortSignal;
}

type Stop = 'cancelled' | 'timed-out' | 'shutdown' | 'lost';

/**
 * One job, start to end (issue 8): ephemeral X25519 key → challenge → evidence binding nonce and
 * key hash → key release → inputs unsealed into the memory-only workspace → command → outputs
 * sealed with new keys and uploaded → complete. Heartbeats run throughout; cancel, timeout and
 * shutdown stop the command. The workspace is wiped and the released keys zeroed on every exit
 * path (`finally`); only `kill -9` skips that, and the next agent start wipes what it left.
 */
export async function runJob(deps: RunJobDeps, lease: Lease): Promise<JobOutcome> {
  const { client, config, say } = deps;
  const base = `/v1/agent/jobs/${lease.jobId}`;
  const reporter = new JobReporter(client, lease.jobId, lease.token);
  const stop = new AbortController();
  const stopWith = (why: Stop): void => { if (!stop.signal.aborted) stop.abort(why); };
  const onShutdown = (): void => { stopWith('shutdown'); };
  deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  if (deps.shutdown.aborted) stopWith('shutdown');
  const deadline = setTimeout(() => { stopWith('timed-out'); }, Math.max(0, lease.deadlineMs - Date.now()));
  const beat = setInterval(() => {
    void client.json('POST', `${base}/heartbeat`, { token: lease.token }).then((a) => {
      const state = (a.body as { state?: string } | undefined)?.state;
      if (state === 'cancelled' || state === 'timed-out' || state === 'lost') stopWith(state);
    }, () => undefined);
  }, Math.max(200, Math.floor(lease.leaseMs / 3)));
  let workspace: Workspace | undefined;
  const providers: ReleasedKeyProvider[] = [];
  let outcome: JobOutcome = 'failed';
  let failure = 'agent-error';
  let retry = false;
  try {
    const insecure = deps.collector.kind === 'insecure-local';
    if (insecure && lease.spec.classification === 'phi' && !config.devInsecureLocal) {
      failure = 'no-tee';
      throw new AgentError('release-refused', 'a PHI job on a node without a TEE needs the development flag', { place: { field: 'collector' } });
    }
    workspace = await Workspace.create(config.workspaceRoot, lease.jobId, { allowDisk: config.devInsecureLocal });
    if (!workspace.memoryBacked) say(`WARNING: job ${lease.jobId}: workspace is on a disk-backed file system (development flag)`);

    const keyPair = await generateNodeKeyPair();
    const challenge = await client.json('POST', '/v1/agent/challenge');
    const nonceB64 = (challenge.body as { nonce?: string } | undefined)?.nonce;
    if (challenge.status !== 200 || nonceB64 === undefined) throw new AgentError('server-refused', `challenge refused ${problemCode(challenge)}`, { place: { field: 'challenge' } });
    const nonce = new Uint8Array(Buffer.from(nonceB64, 'base64'));
    const evidence = await deps.collector.collect(nonce, keyPair.keyHash);
    const gpuEvidence = (lease.spec.gpu?.count ?? 0) > 0 ? await collectGpuEvidence(deps, lease.jobId, nonce, keyPair.keyHash) : undefined;
    const released = await client.json('POST', `${base}/release`, { token: lease.token, nonce: nonceB64, publicKey: Buffer.from(keyPair.publicKey).toString('base64'), evidence, ...(gpuEvidence === undefined ? {} : { gpuEvidence }) });
    if (released.status !== 200) {
      outcome = 'refused';
      say(`job ${lease.jobId}: key release refused ${problemCode(released)}`);
      return outcome; // the control plane failed the job and ledgered the refusal
    }
    const body = released.body as { sealed: SealedKeys; inputs: ReleasedInput[] };
    const keys = await openSealedKeys(body.sealed, keyPair.privateKey, { jobId: lease.jobId, evidenceHash: body.sealed.evidenceHash });
    if (keys === undefined) throw new AgentError('release-refused', 'released keys do not open with this job\'s key', { place: { field: 'sealed' } });
    reporter.step('attested', { evidence: deps.collector.kind, keys: keys.length });
    for (const id of new Set(body.inputs.map((i) => i.provider))) providers.push(new ReleasedKeyProvider(id, keys));
    zero(keys);

    const bytes = await fetchInputs({ client, jobId: lease.jobId, token: lease.token, inputs: body.inputs, providers, dir: workspace.input });
    for (const p of providers) p.destroy();
    reporter.step('inputs-unsealed', { files: body.inputs.length, bytes });

    reporter.step('run-started', { container: lease.spec.image !== undefined && config.runtime !== 'process' });
    const end: ProcessEnd = await runProcess({ jobId: lease.jobId, spec: lease.spec, workspace, runtime: config.runtime, onOutput: (t) => { reporter.log(t); }, signal: stop.signal });
    if (end.kind === 'stopped') {
      outcome = stop.signal.reason as Stop;
      return outcome;
    }
    reporter.step('run-exited', { exitCode: end.exitCode });
    if (end.exitCode !== 0) {
      failure = 'exit-nonzero';
      return outcome;
    }
    if (stop.signal.aborted) {
      outcome = stop.signal.reason as Stop;
      return outcome;
    }
    const sealed = await uploadOutputs({ client, jobId: lease.jobId, token: lease.token, uploadKey: new Uint8Array(Buffer.from(lease.uploadKey, 'base64')), dir: workspace.output });
    reporter.step('outputs-sealed', { files: sealed.files, bytes: sealed.bytes });
    await reporter.flush();
    const done = await client.json('POST', `${base}/complete`, { token: lease.token, exitCode: 0 });
    const result = (done.body as { outcome?: string } | undefined)?.outcome;
    outcome = done.status === 200 && (result === 'completed' || result === 'already-completed') ? 'completed' : 'lost';
    return outcome;
  } catch (error) {
    if (stop.signal.aborted) outcome = stop.signal.reason as Stop;
    else {
      outcome = 'failed';
      if (error instanceof AgentError && error.code === 'server-refused') retry = true;
      // Names and codes only: a message from a library could quote a file name (possibly PHI).
      say(`job ${lease.jobId}: failed (${isBaseError(error) ? `${error.name}:${error.code}` : error instanceof Error ? error.name : 'error'})`);
    }
    return outcome;
  } finally {
    clearTimeout(deadline);
    clearInterval(beat);
    deps.shutdown.removeEventListener('abort', onShutdown);
    for (const p of providers) p.destroy();
    if (outcome === 'cancelled' || outcome === 'timed-out' || outcome === 'failed') reporter.step(outcome, outcome === 'failed' ? { reason: failure } : {});
    const wiped = workspace === undefined ? 0 : await workspace.wipe();
    if (workspace !== undefined) reporter.step('workspace-wiped', { files: wiped });
    await reporter.flush();
    await settle(deps, lease, outcome, failure, retry);
    say(`job ${lease.jobId}: ${outcome}`);
  }
}

/**
 * GPU evidence for a GPU job, or undefined when this node has none to give (no collector, or its
 * tooling failed): the release then goes without it and the control plane decides — a PHI job is
 * refused `gpu-evidence-missing` and ledgered there, a de-identified one may still run.
 */
async function collectGpuEvidence(deps: RunJobDeps, jobId: string, nonce: Uint8Array, keyHash: Uint8Array): Promise<WireEvidence | undefined> {
  if (deps.gpuCollector === undefined) {
    deps.say(`job ${jobId}: GPU job but no GPU evidence collector is configured`);
    return undefined;
  }
  try {
    return await deps.gpuCollector.collect(nonce, keyHash);
  } catch (error) {
    if (!(error instanceof AgentError && error.code === 'collector-unavailable')) throw error;
    deps.say(`job ${jobId}: no GPU evidence (${deps.gpuCollector.kind}: ${error.code})`);
    return undefined;
  }
}

/** Tells the control plane how an attempt that did not complete ended. */
async function settle(deps: RunJobDeps, lease: Lease, outcome: JobOutcome, failure: string, retry: boolean): Promise<void> {
  const base = `/v1/agent/jobs/${lease.jobId}`;
  const fail = (reason: string, again: boolean): Promise<unknown> => deps.client.json('POST', `${base}/fail`, { token: lease.token, reason, retry: again }).catch(() => undefined);
  if (outcome === 'failed') await fail(failure, retry);
  else if (outcome === 'shutdown') await fail('agent-shutdown', true); // requeued for another attempt
  else if (outcome === 'timed-out') await fail('timeout', false); // the control plane may have marked it already: then this is `lost`
}

function zero(keys: readonly DataKey[]): void {
  for (const k of keys) k.key.fill(0);
}
