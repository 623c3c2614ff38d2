// GPU jobs with PHI through the real agent job path, HTTPS routes, JobDispatcher and KeyReleaser
// (issue 8): the agent sends NVIDIA evidence bound to the same nonce and key as the CPU TEE's, the
// control plane verifies it with the GPU router, and every outcome is ledgered.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configuredGpuEvidenceRouter, gpuNonce, reportDataBinding, wireBytes, type AttestationClaims, type EvidenceRouter, type EvidenceVerifier, type VerifyResult, type WireEvidence } from '@phiguard/compute';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from './agent-config.ts';
import { ControlPlaneClient } from './control-plane-client.ts';
import type { EvidenceCollector } from './evidence/evidence-collector.ts';
import { FileGpuCollector } from './evidence/file-gpu-collector.ts';
import type { GpuEvidenceCollector } from './evidence/gpu-evidence-collector.ts';
import { runJob, type JobOutcome, type Lease } from './run-job.ts';
import { startLocalControlPlane, type LocalControlPlane } from './testing/local-control-plane.ts';

const VECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/vectors/nvidia-gpu');
const STEWARD = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
const shm = mkdtempSync('/dev/shm/phiguard-agent-gpu-');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
let cp: LocalControlPlane;
let input: string;
let output: string;

/** Stand-in for a CPU TEE verifier: checks REPORT_DATA = SHA-512(nonce ‖ keyHash) as the SNP/TDX verifiers do. */
const cpuStandIn: EvidenceVerifier<{ reportData: Uint8Array }, null> = {
  tee: 'sev-snp',
  verify(evidence, _policy, context): Promise<VerifyResult> {
    const evidenceHash = `sha256:${createHash('sha256').update(evidence.reportData).digest('hex')}`;
    if (!Buffer.from(evidence.reportData).equals(Buffer.from(reportDataBinding(context.expectedNonce, context.expectedKeyHash))))
      return Promise.resolve({ ok: false, reason: 'report-data-mismatch', detail: 'binding', evidenceHash, tee: 'sev-snp' });
    const claims: AttestationClaims = { tee: 'sev-snp', evidenceHash, measurement: 'aa', debug: false, tcb: {}, nonce: hex(context.expectedNonce), keyHash: hex(context.expectedKeyHash) };
    return Promise.resolve({ ok: true, claims });
  },
};

/** Stand-in for the NVIDIA verifier that accepts any report whose SPDM request nonce is gpuNonce(nonce, keyHash), as GpuVerifier requires. */
const gpuStandIn: EvidenceVerifier<{ requestNonce: Uint8Array }, null> = {
  tee: 'nvidia-gpu',
  verify(evidence, _policy, context): Promise<VerifyResult> {
    const evidenceHash = `sha256:${createHash('sha256').update(evidence.requestNonce).digest('hex')}`;
    if (!Buffer.from(evidence.requestNonce).equals(Buffer.from(gpuNonce(context.expectedNonce, context.expectedKeyHash))))
      return Promise.resolve({ ok: false, reason: 'nonce-mismatch', detail: 'SPDM request nonce', evidenceHash, tee: 'nvidia-gpu' });
    const claims: AttestationClaims = { tee: 'nvidia-gpu', evidenceHash, measurement: 'bb', debug: false, tcb: {}, nonce: hex(context.expectedNonce), keyHash: hex(context.expectedKeyHash) };
    return Promise.resolve({ ok: true, claims });
  },
};

const cpuCollector: EvidenceCollector = {
  kind: 'test-tee',
  available: () => Promise.resolve(true),
  collect: (nonce, keyHash) => Promise.resolve({ kind: 'test-tee', reportData: b64(reportDataBinding(nonce, keyHash)) }),
};

/** GPU evidence for the stand-in verifier; `otherKey` binds a key that is not the CPU evidence's. */
const standInGpu = (otherKey = false): GpuEvidenceCollector => ({
  kind: 'test-gpu',
  available: () => Promise.resolve(true),
  collect: (nonce, keyHash) => Promise.resolve({ kind: 'test-gpu', requestNonce: b64(gpuNonce(nonce, otherKey ? new Uint8Array(32).fill(7) : keyHash)) }),
});

const hopper = new FileGpuCollector({ report: path.join(VECTORS, 'nvtrust_hopperAttestationReport.txt'), certChain: path.join(VECTORS, 'nvtrust_hopperCertChain.txt') });

beforeAll(async () => {
  const gpu = (await configuredGpuEvidenceRouter({
    nvidiaGpu: { referenceMeasurementFiles: [path.join(VECTORS, 'nvtrust_1010_0200_882_960074001A_PROD.swidtag')], deviceRootCertFile: path.join(VECTORS, 'nvtrust_verifier_device_root.pem') },
  })) as EvidenceRouter;
  gpu.register('test-gpu', { decode: (w: WireEvidence) => { const requestNonce = wireBytes(w, 'requestNonce'); return requestNonce === undefined ? undefined : { requestNonce }; }, verifier: gpuStandIn, policy: null });
  cp = await startLocalControlPlane({
    devInsecureLocal: false,
    gpuVerifier: gpu,
    evidence: (router) => router.register('test-tee', { decode: (w) => { const reportData = wireBytes(w, 'reportData'); return reportData === undefined ? undefined : { reportData }; }, verifier: cpuStandIn, policy: null }),
  });
  input = (await cp.datasets.create({ actor: STEWARD, name: 'scans', keyId: 'dataset-key' })).id;
  await cp.datasets.addVersion(input, { actor: STEWARD, files: [{ name: 'a.txt', open: () => [Buffer.from('note text')] }] });
  output = (await cp.datasets.create({ actor: STEWARD, name: 'results', keyId: 'dataset-key' })).id;
}, 120_000);

afterAll(async () => {
  await cp.close();
  rmSync(shm, { recursive: true, force: true });
});

/** Submits a PHI job with one GPU, leases it and runs it through the agent's job path. */
async function runGpuJob(gpuCollector: GpuEvidenceCollector | undefined): Promise<{ id: string; outcome: JobOutcome; said: string[] }> {
  const submitted = await cp.call('POST', '/v1/jobs', { token: await cp.submitterToken(), headers: { 'x-purpose-of-use': 'HRESCH' }, body: { classification: 'phi', gpu: { count: 1 }, input: { dataset: input }, output: { dataset: output }, command: ['/bin/true'] } });
  expect(submitted.status).toBe(201);
  const id = (submitted.json() as { id: string }).id;
  const config = loadAgentConfig({ server: cp.url, caFile: cp.caFile, workspace: path.join(shm, 'ws') }, { PHIGUARD_AGENT_API_KEY: cp.agentKey });
  const client = new ControlPlaneClient({ server: cp.url, ca: cp.ca, apiKey: cp.agentKey });
  const lease = (await client.json('POST', '/v1/agent/jobs/pull', { jobId: id })).body as Lease;
  const said: string[] = [];
  const outcome = await runJob({ client, collector: cpuCollector, ...(gpuCollector === undefined ? {} : { gpuCollector }), config, say: (l) => said.push(l), shutdown: new AbortController().signal }, lease);
  return { id, outcome, said };
}

async function releases(id: string): Promise<{ outcome: string; reason: string | undefined; gpuAttestation: unknown; gpuEvidenceHash: unknown }[]> {
  return (await cp.ledger.search({ resourceType: 'job', resourceId: id, action: 'key.release', limit: 10 })).map((h) => ({ outcome: h.event.outcome, reason: h.event.reason, gpuAttestation: h.event.details?.gpuAttestation, gpuEvidenceHash: h.event.details?.gpuEvidenceHash }));
}

async function jobState(id: string): Promise<unknown> {
  return (await cp.call('GET', `/v1/jobs/${id}`, { token: await cp.submitterToken() })).json();
}

describe('GPU jobs with PHI: GPU evidence through agent, routes, dispatcher and key release', () => {
  it('(a) without GPU evidence: refused gpu-evidence-missing, the job fails, the refusal is ledgered', async () => {
    const { id, outcome, said } = await runGpuJob(undefined);
    expect(outcome).toBe('refused');
    expect(said.join('\n')).toContain('no GPU evidence collector is configured');
    expect(said.join('\n')).toContain('key-release-refused:gpu-evidence-missing');
    expect(await jobState(id)).toMatchObject({ state: 'failed', reason: 'key-release-refused' });
    expect(await releases(id)).toEqual([{ outcome: 'denied', reason: 'gpu-evidence-missing', gpuAttestation: undefined, gpuEvidenceHash: undefined }]);
  });

  it('(b) GPU evidence bound to another key than the CPU evidence: refused by the GPU check and ledgered', async () => {
    const { id, outcome } = await runGpuJob(standInGpu(true));
    expect(outcome).toBe('refused');
    expect(await jobState(id)).toMatchObject({ state: 'failed', reason: 'key-release-refused' });
    expect(await releases(id)).toEqual([{ outcome: 'denied', reason: 'nonce-mismatch', gpuAttestation: 'refused', gpuEvidenceHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string }]);
  });

  it('(c) the real Hopper report reaches the NVIDIA verifier: refused rim-mismatch, ledgered with its hash', async () => {
    const report = Buffer.from(readFileSync(path.join(VECTORS, 'nvtrust_hopperAttestationReport.txt'), 'utf8').trim(), 'hex');
    const { id, outcome } = await runGpuJob(hopper);
    expect(outcome).toBe('refused');
    // The public sample's measurements are not the PROD RIM's (as gpu-verifier.test.ts shows).
    expect(await releases(id)).toEqual([{ outcome: 'denied', reason: 'rim-mismatch', gpuAttestation: 'refused', gpuEvidenceHash: `sha256:${createHash('sha256').update(report).digest('hex')}` }]);
  });

  it('(d) GPU evidence bound to the same nonce and key, accepted by a stand-in GPU verifier: keys released, the job completes', async () => {
    const { id, outcome } = await runGpuJob(standInGpu());
    expect(outcome).toBe('completed');
    expect(await jobState(id)).toMatchObject({ state: 'succeeded' });
    expect(await releases(id)).toEqual([{ outcome: 'success', reason: undefined, gpuAttestation: 'accepted', gpuEvidenceHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string }]);
    expect(cp.warnings).toEqual([]);
  });
});
