// Key release (issue 8): verified evidence + policy ⇒ HPKE-sealed keys, every decision ledgered.
import fc from 'fast-check';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { describe, expect, it } from 'vitest';
import { REFUSAL_REASONS, type AttestationClaims, type EvidenceVerifier, type RefusalReason, type VerifyContext, type VerifyResult } from '../attestation/attestation-result.ts';
import { InsecureLocalAttestor, type InsecureLocalEvidence } from '../attestation/insecure-local.ts';
import { MemoryNonceStore } from '../attestation/nonce-store.ts';
import { reportDataBinding, sameBytes } from '../attestation/report-data-binding.ts';
import { ComputePolicy, type JobFacts } from '../placement/compute-policy.ts';
import type { ComputeNode, NodeAttestation } from '../providers/catalog-types.ts';
import { KeyReleaser, type ReleaseRequest } from './key-releaser.ts';
import { generateNodeKeyPair, type NodeKeyPair } from './node-key.ts';
import { openSealedKeys } from './sealed-keys.ts';

/**
 * A test double of a CPU TEE verifier behind the real port: it checks the REPORT_DATA binding
 * exactly as the SEV-SNP/TDX verifiers do and can be told to refuse with any reason.
 */
interface DoubleEvidence {
  readonly reportData: Uint8Array;
  readonly tee: 'sev-snp' | 'tdx' | 'nvidia-gpu';
  readonly debug?: boolean;
  readonly refuse?: RefusalReason;
}
class DoubleVerifier implements EvidenceVerifier<DoubleEvidence, Record<string, never>> {
  readonly tee = 'sev-snp' as const;
  verify(evidence: DoubleEvidence, _policy: Record<string, never>, context: VerifyContext): Promise<VerifyResult> {
    const evidenceHash = `sha256:${Buffer.from(evidence.reportData).toString('hex').slice(0, 64).padEnd(64, '0')}`;
    if (evidence.refuse !== undefined) return Promise.resolve({ ok: false, reason: evidence.refuse, detail: 'told to', evidenceHash, tee: evidence.tee });
    if (!sameBytes(evidence.reportData, reportDataBinding(context.expectedNonce, context.expectedKeyHash))) {
      return Promise.resolve({ ok: false, reason: 'report-data-mismatch', detail: 'binding', evidenceHash, tee: evidence.tee });
    }
    const claims: AttestationClaims = {
      tee: evidence.tee, evidenceHash, measurement: 'aa'.repeat(48), debug: evidence.debug ?? false, tcb: { snp: 8 },
      nonce: Buffer.from(context.expectedNonce).toString('hex'), keyHash: Buffer.from(context.expectedKeyHash).toString('hex'),
    };
    return Promise.resolve({ ok: true, claims });
  }
}

const clock = new ManualClock(Date.parse('2026-11-24T00:00:00Z'));
const NODE = newId('node', clock);
const SEED_KEY = new Uint8Array(32).fill(0x5a);
const KEYS = [{ id: 'key_data1', key: SEED_KEY }];
const phiJob = (gpuCount = 0): JobFacts => ({ id: newId('job', clock), classification: 'phi', gpuCount, gpuModels: [], minGpuMemoryGiB: 0, budgetMicroUsdPerHour: undefined, regions: [] });
const policy = new ComputePolicy();

function setup(options: { devInsecureLocal?: boolean } = {}) {
  const audit = new MemoryAuditRecorder();
  const warnings: string[] = [];
  const common = { policy, nonces: new MemoryNonceStore({ ttlMs: 60_000 }), audit, clock, ...(options.devInsecureLocal === true ? { devInsecureLocal: true, warn: (m: string) => warnings.push(m) } : {}) };
  const tee = new KeyReleaser({ verifier: new DoubleVerifier(), verifierPolicy: {}, gpuVerifier: new DoubleVerifier(), gpuVerifierPolicy: {}, ...common });
  const local = new KeyReleaser({ verifier: new InsecureLocalAttestor(), verifierPolicy: {}, ...common });
  return { audit, warnings, tee, local };
}

async function teeRequest(r: KeyReleaser<DoubleEvidence, Record<string, never>, DoubleEvidence, Record<string, never>>, node: NodeKeyPair, job: JobFacts, extra: Partial<DoubleEvidence> = {}): Promise<ReleaseRequest<DoubleEvidence, DoubleEvidence>> {
  const nonce = await r.challenge();
  return { job, nodeId: NODE, baaValid: true, nonce, publicKey: node.publicKey, evidence: { reportData: reportDataBinding(nonce, node.keyHash), tee: 'sev-snp', ...extra } };
}

describe('KeyReleaser', () => {
  it('releases PHI keys to a verified CPU TEE; only the bound key opens them; the ledger names evidence and policy', async () => {
    const { tee, audit } = setup();
    const node = await generateNodeKeyPair();
    const job = phiJob();
    const outcome = await tee.release(await teeRequest(tee, node, job), KEYS);
    if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
    expect(outcome.policyIds).toEqual(['release-phi-tee']);
    const opened = await openSealedKeys(outcome.sealed, node.privateKey, { jobId: job.id, evidenceHash: outcome.evidenceHash });
    expect(opened?.[0]?.key).toEqual(SEED_KEY);
    const [event] = audit.withAction('key.release');
    expect(event?.outcome).toBe('success');
    expect(event?.details?.evidenceHash).toBe(outcome.evidenceHash);
    expect(event?.details?.policy).toBe('release-phi-tee');
    expect(event?.details?.policyHash).toBe(policy.hash);
    expect(event?.resources).toContainEqual({ type: 'job', id: job.id });
    // The data key never reaches the ledger.
    const ledgerText = JSON.stringify(audit.events);
    expect(ledgerText).not.toContain(Buffer.from(SEED_KEY).toString('hex'));
    expect(ledgerText).not.toContain(Buffer.from(SEED_KEY).toString('base64'));
  });

  it('stores what verified evidence showed as the node attestation when given a catalog', async () => {
    const recorded: unknown[] = [];
    const catalog = {
      recordAttestation: (nodeId: string, a: NodeAttestation): Promise<ComputeNode> => {
        recorded.push([nodeId, a]);
        return Promise.resolve({} as ComputeNode); // the releaser does not read the answer
      },
    };
    const releaser = new KeyReleaser({ verifier: new DoubleVerifier(), verifierPolicy: {}, gpuVerifier: new DoubleVerifier(), gpuVerifierPolicy: {}, policy, nonces: new MemoryNonceStore({ ttlMs: 60_000 }), audit: new MemoryAuditRecorder(), clock, catalog });
    const node = await generateNodeKeyPair();
    const request = await teeRequest(releaser, node, phiJob(1));
    const outcome = await releaser.release({ ...request, gpuEvidence: { reportData: reportDataBinding(request.nonce, node.keyHash), tee: 'nvidia-gpu' } }, KEYS);
    expect(recorded).toEqual([[NODE, { cpuTee: 'sev-snp', gpuCc: true, gpuBound: true, evidenceHash: outcome.evidenceHash, verifiedMs: clock.nowMs() }]]);
    await releaser.release(request, KEYS); // replay: refused, nothing recorded
    expect(recorded).toHaveLength(1);
  });

  it('refuses a replayed nonce', async () => {
    const { tee, audit } = setup();
    const node = await generateNodeKeyPair();
    const request = await teeRequest(tee, node, phiJob());
    expect((await tee.release(request, KEYS)).ok).toBe(true);
    const again = await tee.release(request, KEYS);
    expect(again).toMatchObject({ ok: false, reason: 'nonce-replayed' });
    expect(audit.events.map((e) => e.outcome)).toEqual(['success', 'denied']);
    expect(audit.events[1]?.reason).toBe('nonce-replayed');
  });

  it('refuses an unknown nonce and evidence bound to another key', async () => {
    const { tee } = setup();
    const a = await generateNodeKeyPair();
    const b = await generateNodeKeyPair();
    const request = await teeRequest(tee, a, phiJob());
    expect(await tee.release({ ...request, nonce: new Uint8Array(32).fill(1), evidence: { reportData: reportDataBinding(new Uint8Array(32).fill(1), a.keyHash), tee: 'sev-snp' } }, KEYS)).toMatchObject({ ok: false, reason: 'nonce-unknown' });
    // Evidence made for A's key, presented with B's public key (a relay/MITM): the binding fails.
    expect(await tee.release({ ...request, publicKey: b.publicKey }, KEYS)).toMatchObject({ ok: false, reason: 'report-data-mismatch' });
  });

  it('refuses PHI without a valid BAA, with debug on, and for a GPU job without bound GPU evidence', async () => {
    const { tee, audit } = setup();
    const node = await generateNodeKeyPair();
    expect(await tee.release({ ...(await teeRequest(tee, node, phiJob())), baaValid: false }, KEYS)).toMatchObject({ ok: false, reason: 'policy-denied' });
    expect(await tee.release(await teeRequest(tee, node, phiJob(), { debug: true }), KEYS)).toMatchObject({ ok: false, reason: 'policy-denied' });
    expect(await tee.release(await teeRequest(tee, node, phiJob(1)), KEYS)).toMatchObject({ ok: false, reason: 'gpu-evidence-missing' });
    const gpuJob = phiJob(1);
    const request = await teeRequest(tee, node, gpuJob);
    const gpuEvidence: DoubleEvidence = { reportData: reportDataBinding(request.nonce, node.keyHash), tee: 'nvidia-gpu' };
    expect(await tee.release({ ...request, gpuEvidence }, KEYS)).toMatchObject({ ok: true, policyIds: ['release-phi-tee'] });
    // A GPU that attests to some other key is not bound to this CPU TEE.
    const other = await generateNodeKeyPair();
    const r2 = await teeRequest(tee, node, gpuJob);
    expect(await tee.release({ ...r2, gpuEvidence: { reportData: reportDataBinding(r2.nonce, other.keyHash), tee: 'nvidia-gpu' } }, KEYS)).toMatchObject({ ok: false, reason: 'report-data-mismatch' });
    expect(audit.events.map((e) => e.outcome)).toEqual(['denied', 'denied', 'denied', 'success', 'denied']);
  });

  it('insecure-local: de-identified keys yes, PHI only with the development flag (and a warning)', async () => {
    const node = await generateNodeKeyPair();
    const deid: JobFacts = { ...phiJob(), classification: 'deidentified' };
    for (const dev of [false, true]) {
      const { local, warnings } = setup({ devInsecureLocal: dev });
      const req = async (job: JobFacts) => {
        const nonce = await local.challenge();
        return { job, nodeId: NODE, baaValid: false, nonce, publicKey: node.publicKey, evidence: InsecureLocalAttestor.evidence(nonce, node.keyHash) } satisfies ReleaseRequest<InsecureLocalEvidence>;
      };
      expect((await local.release(await req(deid), KEYS)).ok).toBe(true);
      const phi = await local.release(await req(phiJob()), KEYS);
      expect(phi.ok).toBe(dev);
      expect(warnings.length).toBe(dev ? 1 : 0);
    }
  });

  it('a refused evidence never yields a release, whatever the reason', async () => {
    const node = await generateNodeKeyPair();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REFUSAL_REASONS), fc.constantFrom<JobFacts['classification']>('phi', 'deidentified', 'none'), async (reason, classification) => {
        const { tee, audit } = setup();
        const outcome = await tee.release(await teeRequest(tee, node, { ...phiJob(), classification }, { refuse: reason }), KEYS);
        expect(outcome).toMatchObject({ ok: false, reason });
        expect(audit.events).toHaveLength(1);
        expect(audit.events[0]).toMatchObject({ action: 'key.release', outcome: 'denied', reason });
      }),
      { numRuns: 100 },
    );
  });
});
