// Key release refusals through the real HTTPS routes (issue 8): the PHI job on insecure-local
// evidence without the control plane's development flag, and every attestation refusal reason,
// each refused (403, no keys) and ledgered as a denied key.release with the evidence hash.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { generateNodeKeyPair, REFUSAL_REASONS, reportDataBinding, wireBytes, type AttestationClaims, type EvidenceVerifier, type RefusalReason, type VerifyResult } from '@phiguard/compute';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneClient } from './control-plane-client.ts';
import { startAgentProcess } from './testing/agent-process.ts';
import { startLocalControlPlane, type LocalControlPlane } from './testing/local-control-plane.ts';

const STEWARD = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
const shm = mkdtempSync('/dev/shm/phiguard-agent-refusal-');
let cp: LocalControlPlane;
let input: string;
let output: string;

/** A stand-in for a TEE verifier behind the real port: refuses with the reason the evidence names. */
const double: EvidenceVerifier<{ refuse?: RefusalReason; reportData: Uint8Array }, null> = {
  tee: 'sev-snp',
  verify(evidence, _policy, context): Promise<VerifyResult> {
    const evidenceHash = `sha256:${Buffer.from(evidence.reportData).toString('hex').slice(0, 64)}`;
    if (evidence.refuse !== undefined) return Promise.resolve({ ok: false, reason: evidence.refuse, detail: 'refused', evidenceHash, tee: 'sev-snp' });
    const claims: AttestationClaims = { tee: 'sev-snp', evidenceHash, measurement: 'aa', debug: false, tcb: {}, nonce: Buffer.from(context.expectedNonce).toString('hex'), keyHash: Buffer.from(context.expectedKeyHash).toString('hex') };
    return Promise.resolve({ ok: true, claims });
  },
};

beforeAll(async () => {
  cp = await startLocalControlPlane({
    devInsecureLocal: false,
    evidence: (router) => router.register('test-double', {
      decode: (w) => {
        const reportData = wireBytes(w, 'reportData');
        const refuse = typeof w.refuse === 'string' && (REFUSAL_REASONS as readonly string[]).includes(w.refuse) ? (w.refuse as RefusalReason) : undefined;
        return reportData === undefined ? undefined : { reportData, ...(refuse === undefined ? {} : { refuse }) };
      },
      verifier: double,
      policy: null,
    }),
  });
  input = (await cp.datasets.create({ actor: STEWARD, name: 'scans', keyId: 'dataset-key' })).id;
  await cp.datasets.addVersion(input, { actor: STEWARD, files: [{ name: 'a.txt', open: () => [Buffer.from('de-identified text')] }] });
  output = (await cp.datasets.create({ actor: STEWARD, name: 'results', keyId: 'dataset-key' })).id;
}, 120_000);

afterAll(async () => {
  await cp.close();
  rmSync(shm, { recursive: true, force: true });
});

async function submit(classification: 'phi' | 'deidentified'): Promise<string> {
  const answer = await cp.call('POST', '/v1/jobs', { token: await cp.submitterToken(), headers: { 'x-purpose-of-use': 'HRESCH' }, body: { classification, input: { dataset: input }, output: { dataset: output }, command: ['/bin/true'] } });
  expect(answer.status).toBe(201);
  return (answer.json() as { id: string }).id;
}

async function denials(id: string): Promise<{ reason: string | undefined; evidenceHash: unknown }[]> {
  return (await cp.ledger.search({ resourceType: 'job', resourceId: id, action: 'key.release', limit: 100 })).filter((h) => h.event.outcome === 'denied').map((h) => ({ reason: h.event.reason, evidenceHash: h.event.details?.evidenceHash }));
}

describe('key release refusals through the routes', () => {
  it('a PHI job on insecure-local evidence is refused without the control plane\'s development flag (agent has its own flag set)', async () => {
    const id = await submit('phi');
    const ws = path.join(shm, 'ws');
    const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true, maxJobs: 1 });
    expect(await agent.exited, agent.output()).toBe(0);
    expect(agent.output()).toContain('key release refused key-release-refused:policy-denied');
    const job = (await cp.call('GET', `/v1/jobs/${id}`, { token: await cp.submitterToken() })).json() as { state: string; reason: string };
    expect(job).toMatchObject({ state: 'failed', reason: 'key-release-refused' });
    expect(await denials(id)).toEqual([{ reason: 'policy-denied', evidenceHash: expect.stringMatching(/^sha256:/) as string }]);
    expect(cp.warnings).toEqual([]);
    expect(readdirSync(ws)).toEqual([]);
  });

  it('every attestation refusal reason refuses key release (403, no keys) and is ledgered', async () => {
    const client = new ControlPlaneClient({ server: cp.url, ca: cp.ca, apiKey: cp.agentKey });
    for (const reason of REFUSAL_REASONS) {
      const id = await submit('deidentified');
      const lease = (await client.json('POST', '/v1/agent/jobs/pull', {})).body as { jobId: string; token: string };
      expect(lease.jobId).toBe(id);
      const nonce = (await client.json('POST', '/v1/agent/challenge')).body as { nonce: string };
      const publicKey = Buffer.alloc(32, 9).toString('base64');
      const keyHash = new Uint8Array(32);
      const evidence = { kind: 'test-double', refuse: reason, reportData: Buffer.from(reportDataBinding(Buffer.from(nonce.nonce, 'base64'), keyHash)).toString('base64') };
      const answer = await client.json('POST', `/v1/agent/jobs/${id}/release`, { token: lease.token, nonce: nonce.nonce, publicKey, evidence });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'key-release-refused', reason });
      expect(JSON.stringify(answer.body)).not.toContain('"sealed"');
      expect(await denials(id)).toEqual([{ reason, evidenceHash: expect.stringMatching(/^sha256:/) as string }]);
    }
    // An unknown evidence kind and undecodable evidence are refusals too, not errors.
    for (const [evidence, reason] of [[{ kind: 'quantum-tee' }, 'unsupported-evidence'], [{ kind: 'test-double' }, 'evidence-malformed']] as const) {
      const id = await submit('deidentified');
      const lease = (await client.json('POST', '/v1/agent/jobs/pull', {})).body as { token: string };
      const nonce = (await client.json('POST', '/v1/agent/challenge')).body as { nonce: string };
      const answer = await client.json('POST', `/v1/agent/jobs/${id}/release`, { token: lease.token, nonce: nonce.nonce, publicKey: Buffer.alloc(32, 9).toString('base64'), evidence });
      expect(answer.body).toMatchObject({ reason });
    }
  });

  it('real insecure-local evidence: a replayed nonce and evidence bound to another key are refused by the real checks', async () => {
    const client = new ControlPlaneClient({ server: cp.url, ca: cp.ca, apiKey: cp.agentKey });
    const pair = await generateNodeKeyPair();
    const publicKey = Buffer.from(pair.publicKey).toString('base64');
    const lease = async (): Promise<{ jobId: string; token: string }> => {
      await submit('deidentified');
      return (await client.json('POST', '/v1/agent/jobs/pull', {})).body as { jobId: string; token: string };
    };
    const nonce = ((await client.json('POST', '/v1/agent/challenge')).body as { nonce: string }).nonce;
    const evidence = { kind: 'insecure-local', reportData: Buffer.from(reportDataBinding(Buffer.from(nonce, 'base64'), pair.keyHash)).toString('base64') };
    const first = await lease();
    const ok = await client.json('POST', `/v1/agent/jobs/${first.jobId}/release`, { token: first.token, nonce, publicKey, evidence });
    expect(ok.status).toBe(200);
    await client.json('POST', `/v1/agent/jobs/${first.jobId}/fail`, { token: first.token, reason: 'test-done', retry: false });
    const second = await lease();
    const replay = await client.json('POST', `/v1/agent/jobs/${second.jobId}/release`, { token: second.token, nonce, publicKey, evidence });
    expect(replay.body).toMatchObject({ code: 'key-release-refused', reason: 'nonce-replayed' });
    const third = await lease();
    const fresh = ((await client.json('POST', '/v1/agent/challenge')).body as { nonce: string }).nonce;
    const other = await generateNodeKeyPair();
    const wrongKey = { kind: 'insecure-local', reportData: Buffer.from(reportDataBinding(Buffer.from(fresh, 'base64'), other.keyHash)).toString('base64') };
    const mismatch = await client.json('POST', `/v1/agent/jobs/${third.jobId}/release`, { token: third.token, nonce: fresh, publicKey, evidence: wrongKey });
    expect(mismatch.body).toMatchObject({ reason: 'report-data-mismatch' });
    expect(await denials(second.jobId)).toEqual([{ reason: 'nonce-replayed', evidenceHash: expect.stringMatching(/^sha256:/) as string }]);
    expect(await denials(third.jobId)).toEqual([{ reason: 'report-data-mismatch', evidenceHash: expect.stringMatching(/^sha256:/) as string }]);
  });

  it('a release needs the caller\'s own current lease: another token is 404, a user token is refused', async () => {
    const client = new ControlPlaneClient({ server: cp.url, ca: cp.ca, apiKey: cp.agentKey });
    const id = await submit('deidentified');
    await client.json('POST', '/v1/agent/jobs/pull', {});
    const nonce = (await client.json('POST', '/v1/agent/challenge')).body as { nonce: string };
    const body = { token: 'A'.repeat(32), nonce: nonce.nonce, publicKey: Buffer.alloc(32, 9).toString('base64'), evidence: { kind: 'insecure-local', reportData: '' } };
    expect((await client.json('POST', `/v1/agent/jobs/${id}/release`, body)).status).toBe(404);
    expect((await cp.call('POST', `/v1/agent/jobs/${id}/release`, { token: await cp.adminToken(), body })).status).toBe(403);
    await cp.call('POST', `/v1/jobs/${id}/cancel`, { token: await cp.submitterToken() });
  });

  it('user routes: submitting needs a purpose of use; nodes are registered by an admin and bound to one service account', async () => {
    const token = await cp.submitterToken();
    const noPurpose = await cp.call('POST', '/v1/jobs', { token, body: { classification: 'deidentified', input: { dataset: input }, output: { dataset: output }, command: ['/bin/true'] } });
    expect(noPurpose.status).toBe(403);
    const badSpec = await cp.call('POST', '/v1/jobs', { token, headers: { 'x-purpose-of-use': 'HRESCH' }, body: { classification: 'deidentified', input: { dataset: input }, output: { dataset: output }, command: [] } });
    expect(badSpec.status).toBe(422);
    expect(badSpec.json()).toMatchObject({ code: 'invalid-input' });
    const admin = await cp.adminToken();
    const account = (await cp.call('POST', '/v1/service-accounts', { token: admin, body: { name: 'gpu-node-2', roles: [] } })).json() as { id: string };
    const node = { name: 'lab-gpu-2', providerId: cp.node.providerId, region: 'local', gpu: { model: 'h100', count: 1, memoryGiB: 80 }, memoryGiB: 64, cpuTee: ['sev-snp'], gpuCc: ['hopper'], diskEncryption: true, serviceAccount: account.id };
    expect((await cp.call('POST', '/v1/nodes', { token, body: node })).status).toBe(403); // ml-engineer: not an admin
    const added = await cp.call('POST', '/v1/nodes', { token: admin, body: node });
    expect(added.status).toBe(201);
    expect((await cp.call('POST', '/v1/nodes', { token: admin, body: { ...node, name: 'lab-gpu-3' } })).status).toBe(409); // one node per account
    const listed = (await cp.call('GET', '/v1/nodes', { token })).json() as { name: string }[];
    expect(listed.map((n) => n.name).sort()).toEqual(['lab-gpu-1', 'lab-gpu-2']);
  });
});
