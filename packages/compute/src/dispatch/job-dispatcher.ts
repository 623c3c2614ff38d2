import type { AuditDetails, AuditRecorder } from '@phiguard/audit';
import type { Clock } from '@phiguard/core';
import { unsealStream, type KeyProvider } from '@phiguard/keys';
import type { BlobStore, Datasets, IndexEntry, NewFile } from '@phiguard/vault';
import { ComputeError } from '../compute-error.ts';
import { baaInForce } from '../providers/baa.ts';
import type { ComputeNode, NewNode } from '../providers/catalog-types.ts';
import type { ComputeCatalog } from '../providers/compute-catalog.ts';
import type { QueuedJob } from '../queue/queued-job.ts';
import type { SqlJobQueue } from '../queue/sql-job-queue.ts';
import type { KeyReleaser, ReleaseRefusal } from '../release/key-releaser.ts';
import type { SealedKeys } from '../release/sealed-keys.ts';
import type { UploadKeyProvider } from '../release/upload-key-provider.ts';
import type { AgentStore, StoredLogChunk } from './agent-store.ts';
import { blobDataKeys } from './blob-data-keys.ts';
import type { WireEvidence } from './evidence-router.ts';
import { redactLog } from './log-redactor.ts';
import { parseRunSpec, runJobFacts, type RunSpec } from './run-spec.ts';

export interface JobDispatcherOptions {
  readonly queue: SqlJobQueue;
  readonly catalog: ComputeCatalog;
  readonly agents: AgentStore;
  /**
   * Verifies node evidence and releases keys. Give it a `gpuVerifier` (`configuredGpuEvidenceRouter`)
   * so that GPU jobs with PHI can be released: without one, their `gpuEvidence` is never checked
   * and they are refused `gpu-evidence-missing`.
   */
  readonly releaser: KeyReleaser<WireEvidence, null, WireEvidence, null>;
  readonly datasets: Datasets;
  /** Providers holding the input datasets' KEKs (to unwrap the blob keys being released). */
  readonly keyProviders: readonly KeyProvider[];
  readonly blobs: BlobStore;
  readonly upload: { readonly provider: UploadKeyProvider; readonly publicKey: Uint8Array };
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  /** Identifiers to redact from a job's logs (seeded PHI: the patient context's, or a configured list). */
  readonly logIdentifiers?: (jobId: string, spec: RunSpec) => Promise<readonly string[]>;
  /** Lease length; agents heartbeat at a third of it. Default 30 s. */
  readonly leaseMs?: number;
}

/** The agent calling: its node and the service account it authenticated as. */
export interface AgentCaller {
  readonly nodeId: string;
  readonly accountId: string;
}

/** One input file as the node learns it, only after a successful release. */
export interface ReleasedInput {
  readonly index: number;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly provider: string;
}

export type DispatchRelease =
  | { readonly ok: true; readonly sealed: SealedKeys; readonly inputs: readonly ReleasedInput[] }
  | { readonly ok: false; readonly reason: ReleaseRefusal; readonly evidenceHash: string };

/** Steps an agent reports; each becomes an `agent.step` ledger entry. */
export const AGENT_STEPS = ['attested', 'inputs-unsealed', 'run-started', 'run-exited', 'outputs-sealed', 'workspace-wiped', 'cancelled', 'timed-out', 'failed'] as const;
export type AgentStep = (typeof AGENT_STEPS)[number];

const STAGE_LIMIT = 512 * 1024 * 1024;

/**
 * The control plane's side of running a job (issue 8): submit, lease to an agent, release the
 * input keys to verified evidence (via {@link KeyReleaser}: every release and refusal ledgered),
 * serve sealed inputs, take heartbeats and scanned logs, take sealed outputs and write them as a
 * new dataset version, complete or fail with the lease's fencing token. Agents never see a
 * database; every call names the job and its lease token, and the lease must be the caller's node's.
 */
export class JobDispatcher {
  readonly #o: JobDispatcherOptions;
  readonly #inputs = new Map<string, { files: readonly IndexEntry[]; providers: readonly string[] }>();
  readonly #staged = new Map<string, { name: string; envelope: Buffer }[]>();

  constructor(options: JobDispatcherOptions) {
    this.#o = options;
  }

  get leaseMs(): number {
    return this.#o.leaseMs ?? 30_000;
  }

  async submit(actorId: string, input: unknown): Promise<QueuedJob> {
    const spec = parseRunSpec(input);
    await this.#o.datasets.dataset(spec.input.dataset);
    await this.#o.datasets.dataset(spec.output.dataset);
    const job = await this.#o.queue.submit({ spec, ...(spec.timeoutSeconds === undefined ? {} : { timeoutMs: spec.timeoutSeconds * 1000 }), ...(spec.maxAttempts === undefined ? {} : { maxAttempts: spec.maxAttempts }) });
    await this.#record(actorId, 'job.request', job.id, undefined, { classification: spec.classification, gpuCount: spec.gpu?.count ?? 0, container: spec.image !== undefined });
    return job;
  }

  /** Adds a node to the catalog and binds it to the service account its agent will use. */
  async registerNode(actorId: string, node: NewNode, serviceAccountId: string): Promise<ComputeNode> {
    // Checked first so a refused binding leaves no unbound node behind (bind() still guards races).
    if ((await this.#o.agents.nodeOf(serviceAccountId)) !== undefined) throw new ComputeError('conflict', 'the service account is already bound to a node', { place: { field: 'serviceAccount' } });
    const added = await this.#o.catalog.addNode(node);
    await this.#o.agents.bind(added.id, serviceAccountId, this.#o.clock.nowMs());
    await this.#record(actorId, 'node.bind', undefined, added.id, { serviceAccount: serviceAccountId });
    return added;
  }

  /** The node a service account speaks for; `not-found` when none is bound. */
  async agentFor(accountId: string): Promise<AgentCaller> {
    const nodeId = await this.#o.agents.nodeOf(accountId);
    if (nodeId === undefined) throw new ComputeError('not-found', 'no node is bound to this service account', { place: { field: 'serviceAccount' }, hint: 'phiguard nodes register --service-account SVC' });
    return { nodeId, accountId };
  }

  async hello(agent: AgentCaller, details: { readonly collector: string; readonly version: string }): Promise<ComputeNode> {
    const node = await this.#o.catalog.getNode(agent.nodeId);
    if (node === undefined) throw new ComputeError('not-found', 'no such node', { place: { field: 'node' } });
    await this.#o.agents.touch(agent.nodeId, this.#o.clock.nowMs());
    await this.#record(agent.accountId, 'node.agent.register', undefined, agent.nodeId, { collector: details.collector.slice(0, 32), agentVersion: details.version.slice(0, 32) });
    return node;
  }

  /** Leases the oldest ready job (or `jobId` only) to the caller's node (a lost agent's expired lease is taken over). */
  async pull(agent: AgentCaller, jobId?: string): Promise<{ jobId: string; token: string; attempt: number; spec: RunSpec; deadlineMs: number; leaseMs: number; uploadKey: string } | undefined> {
    await this.#o.agents.touch(agent.nodeId, this.#o.clock.nowMs());
    const lease = await this.#o.queue.lease({ owner: agent.nodeId, leaseMs: this.leaseMs, ...(jobId === undefined ? {} : { jobId }) });
    if (lease === undefined) return undefined;
    return { jobId: lease.jobId, token: lease.token, attempt: lease.attempt, spec: parseRunSpec(lease.spec), deadlineMs: lease.deadlineMs, leaseMs: this.leaseMs, uploadKey: Buffer.from(this.#o.upload.publicKey).toString('base64') };
  }

  challenge(): Promise<Uint8Array> {
    return this.#o.releaser.challenge();
  }

  /**
   * Releases the input dataset's blob keys, HPKE-sealed to the key the evidence binds. A refusal
   * fails the job for good (`key-release-refused`): the same node with the same evidence would be
   * refused again. `gpuEvidence` (NVIDIA, bound to the same nonce and key) is needed for a GPU job
   * with PHI; it is checked beside the CPU evidence, never instead of it.
   */
  async release(agent: AgentCaller, jobId: string, token: string, request: { readonly nonce: Uint8Array; readonly publicKey: Uint8Array; readonly evidence: WireEvidence; readonly gpuEvidence?: WireEvidence }): Promise<DispatchRelease> {
    const job = await this.#current(agent, jobId, token);
    const spec = parseRunSpec(job.spec);
    const node = await this.#o.catalog.getNode(agent.nodeId);
    const provider = node === undefined ? undefined : await this.#o.catalog.getProvider(node.providerId);
    const baaValid = provider !== undefined && baaInForce(provider.baa, this.#o.clock.now());
    const opened = await this.#o.datasets.open(agent.accountId, spec.input.dataset, spec.input.version);
    const { keys, providers } = await blobDataKeys(opened.files, this.#o.blobs, this.#o.keyProviders);
    try {
      const outcome = await this.#o.releaser.release({ job: runJobFacts(jobId, spec), nodeId: agent.nodeId, baaValid, nonce: request.nonce, publicKey: request.publicKey, evidence: request.evidence, ...(request.gpuEvidence === undefined ? {} : { gpuEvidence: request.gpuEvidence }) }, keys);
      if (!outcome.ok) {
        await this.#o.queue.fail(jobId, token, 'key-release-refused', { retry: false });
        return { ok: false, reason: outcome.reason, evidenceHash: outcome.evidenceHash };
      }
      this.#inputs.set(`${jobId}:${token}`, { files: opened.files, providers });
      return { ok: true, sealed: outcome.sealed, inputs: opened.files.map((f, index) => ({ index, name: f.name, size: f.size, sha256: f.sha256, provider: providers[index] ?? '' })) };
    } finally {
      for (const k of keys) k.key.fill(0);
    }
  }

  /** The sealed bytes of input `index` (as stored: an envelope only the released keys open). */
  async input(agent: AgentCaller, jobId: string, token: string, index: number): Promise<AsyncIterable<Buffer>> {
    await this.#current(agent, jobId, token);
    const entry = this.#inputs.get(`${jobId}:${token}`)?.files[index];
    if (entry === undefined) throw new ComputeError('not-found', 'no such input for this lease (release keys first)', { place: { index } });
    return this.#o.blobs.get(entry.blob);
  }

  async heartbeat(agent: AgentCaller, jobId: string, token: string): Promise<string> {
    await this.#owned(agent, jobId, token);
    await this.#o.agents.touch(agent.nodeId, this.#o.clock.nowMs());
    return this.#o.queue.heartbeat(jobId, token, this.leaseMs);
  }

  /** Stores a chunk of the job's log after redacting seeded identifiers; flags (ledgers) every hit. */
  async log(agent: AgentCaller, jobId: string, token: string, text: string): Promise<{ seq: number; flagged: number }> {
    const job = await this.#owned(agent, jobId, token);
    const identifiers = this.#o.logIdentifiers === undefined ? [] : await this.#o.logIdentifiers(jobId, parseRunSpec(job.spec));
    const scanned = redactLog(text, identifiers);
    const seq = await this.#o.agents.appendLog(jobId, job.attempts, scanned.text, scanned.flagged, this.#o.clock.nowMs());
    if (scanned.flagged > 0) await this.#record(agent.accountId, 'job.log.flag', jobId, agent.nodeId, { seq, redacted: scanned.flagged }, 'failure', 'phi-in-log');
    return { seq, flagged: scanned.flagged };
  }

  async step(agent: AgentCaller, jobId: string, token: string, step: AgentStep, details: AuditDetails): Promise<void> {
    await this.#owned(agent, jobId, token);
    const failed = step === 'failed' || step === 'timed-out' || step === 'cancelled';
    await this.#record(agent.accountId, `agent.${step}`, jobId, agent.nodeId, details, failed ? 'failure' : 'success', failed ? step : undefined);
  }

  /** Takes one sealed output file (sealed on the node with a new data key wrapped to the upload key). */
  async stageOutput(agent: AgentCaller, jobId: string, token: string, name: string, envelope: Buffer): Promise<void> {
    await this.#current(agent, jobId, token);
    const key = `${jobId}:${token}`;
    const staged = this.#staged.get(key) ?? [];
    const total = staged.reduce((n, s) => n + s.envelope.length, 0) + envelope.length;
    if (total > STAGE_LIMIT) throw new ComputeError('invalid-input', 'outputs exceed the staging limit', { place: { field: 'outputs' } });
    if (staged.some((s) => s.name === name)) throw new ComputeError('conflict', 'an output of this name was already uploaded', { place: { field: 'name' } });
    staged.push({ name, envelope });
    this.#staged.set(key, staged);
  }

  /**
   * Writes the staged outputs as a new version of the output dataset (re-sealed under its KEK),
   * then completes the attempt. The version is written only while the lease is current.
   */
  async complete(agent: AgentCaller, jobId: string, token: string, summary: { readonly exitCode: number }): Promise<string> {
    const job = await this.#current(agent, jobId, token);
    const spec = parseRunSpec(job.spec);
    const key = `${jobId}:${token}`;
    const staged = this.#staged.get(key) ?? [];
    const providers = [this.#o.upload.provider];
    const files: NewFile[] = staged.map((s) => ({ name: s.name, open: () => unsealStream([s.envelope], { providers, expectContext: { job: jobId, part: 'output' } }) }));
    const version = await this.#o.datasets.addVersion(spec.output.dataset, { actor: agent.accountId, files });
    this.#forget(key);
    const outcome = await this.#o.queue.complete(jobId, token, { output: { dataset: spec.output.dataset, version: version.version, manifestHash: version.manifestHash }, files: staged.length, exitCode: summary.exitCode });
    if (outcome === 'lost') await this.#record(agent.accountId, 'job.output.orphan', jobId, agent.nodeId, { version: version.version }, 'failure', 'lease-lost');
    return outcome;
  }

  async fail(agent: AgentCaller, jobId: string, token: string, reason: string, retry: boolean): Promise<string> {
    await this.#owned(agent, jobId, token);
    this.#forget(`${jobId}:${token}`);
    return this.#o.queue.fail(jobId, token, reason, { retry });
  }

  nodes(): Promise<ComputeNode[]> {
    return this.#o.catalog.listNodes();
  }

  node(id: string): Promise<ComputeNode | undefined> {
    return this.#o.catalog.getNode(id);
  }

  cancel(jobId: string): Promise<string> {
    return this.#o.queue.cancel(jobId);
  }

  get(jobId: string): Promise<QueuedJob | undefined> {
    return this.#o.queue.get(jobId);
  }

  logs(jobId: string): Promise<StoredLogChunk[]> {
    return this.#o.agents.logs(jobId);
  }

  #forget(key: string): void {
    this.#inputs.delete(key);
    this.#staged.delete(key);
  }

  /** The attempt holding `token` (current or just ended), on the caller's node. */
  async #owned(agent: AgentCaller, jobId: string, token: string): Promise<QueuedJob & { readonly current: boolean }> {
    const job = await this.#o.queue.attemptOf(jobId, token);
    if (job === undefined || job.leaseOwner !== agent.nodeId) throw new ComputeError('not-found', 'no such lease for this node', { place: { field: 'token' } });
    return job;
  }

  /** As {@link #owned}, and the lease must still be current (not cancelled, timed out or taken over). */
  async #current(agent: AgentCaller, jobId: string, token: string): Promise<QueuedJob> {
    const job = await this.#owned(agent, jobId, token);
    if (!job.current) throw new ComputeError('conflict', 'the lease is no longer current (cancelled, timed out or lost)', { place: { field: 'token' } });
    return job;
  }

  async #record(actorId: string, action: string, jobId: string | undefined, nodeId: string | undefined, details: AuditDetails, outcome: 'success' | 'failure' = 'success', reason?: string): Promise<void> {
    const resources = [...(jobId === undefined ? [] : [{ type: 'job', id: jobId }]), ...(nodeId === undefined ? [] : [{ type: 'node', id: nodeId }])];
    const actor = actorId.startsWith('svc_') ? ({ kind: 'service', id: actorId } as const) : ({ kind: 'user', id: actorId } as const);
    await this.#o.audit.record({ actor, action, outcome, resources, details, ...(reason === undefined ? {} : { reason }) });
  }
}
