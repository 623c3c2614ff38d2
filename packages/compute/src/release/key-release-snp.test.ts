// Key release through the real SEV-SNP verifier (issue 8 "Shown by tests": every attestation
// failure refuses key release and is ledgered). Synthetic evidence: reports signed in the test by
// a test ARK → ASK → VCEK chain (testing/snp-test-kit), bound to the control plane's nonce and the
// node's ephemeral key exactly as a real guest binds them (REPORT_DATA = SHA-512(nonce ‖ keyHash)).
import { systemClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryNonceStore } from '../attestation/nonce-store.ts';
import { reportDataBinding } from '../attestation/report-data-binding.ts';
import { SnpVerifier, type SnpEvidence, type SnpPolicy } from '../attestation/sev-snp/snp-verifier.ts';
import { makeSnpPki, makeSnpReport, TEST_MEASUREMENT, TEST_TCB, type SnpFields, type SnpTestPki } from '../attestation/testing/snp-test-kit.ts';
import { ComputePolicy, type JobFacts } from '../placement/compute-policy.ts';
import { KeyReleaser } from './key-releaser.ts';
import { generateNodeKeyPair } from './node-key.ts';
import { openSealedKeys } from './sealed-keys.ts';

let pki: SnpTestPki;
beforeAll(() => {
  pki = makeSnpPki();
});
afterAll(() => {
  pki.pki[Symbol.dispose]();
});

const job: JobFacts = { id: newId('job', systemClock), classification: 'phi', gpuCount: 0, gpuModels: [], minGpuMemoryGiB: 0, budgetMicroUsdPerHour: undefined, regions: [] };
const NODE = newId('node', systemClock);
const KEYS = [{ id: 'key_dataset1', key: new Uint8Array(32).fill(0x42) }];

function setup() {
  const audit = new MemoryAuditRecorder();
  const policy: SnpPolicy = { allowedMeasurements: [Buffer.from(TEST_MEASUREMENT).toString('hex')], minimumTcb: TEST_TCB, trustedRoots: new Set([pki.arkFingerprint]) };
  // The certificates were made just now: the verifier's clock is the system clock.
  const releaser = new KeyReleaser({ verifier: new SnpVerifier(), verifierPolicy: policy, policy: new ComputePolicy(), nonces: new MemoryNonceStore({ ttlMs: 60_000 }), audit, clock: systemClock });
  return { audit, releaser };
}

async function attempt(fields: SnpFields = {}, tamper?: (report: Uint8Array) => void) {
  const { audit, releaser } = setup();
  const node = await generateNodeKeyPair();
  const nonce = await releaser.challenge();
  const report = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(nonce, node.keyHash), ...fields });
  tamper?.(report);
  const evidence: SnpEvidence = { report, vcek: pki.vcek.certPem, certChain: pki.certChain, crls: [pki.crl] };
  const request = { job, nodeId: NODE, baaValid: true, nonce, publicKey: node.publicKey, evidence };
  return { audit, releaser, node, request, outcome: await releaser.release(request, KEYS) };
}

describe('key release with the SEV-SNP verifier', () => {
  it('releases to a verified guest; only its key opens the release; a replay is refused', async () => {
    const { audit, releaser, node, request, outcome } = await attempt();
    if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
    expect(outcome.policyIds).toEqual(['release-phi-tee']);
    expect((await openSealedKeys(outcome.sealed, node.privateKey, { jobId: job.id, evidenceHash: outcome.evidenceHash }))?.[0]?.key).toEqual(KEYS[0]?.key);
    expect(audit.events[0]).toMatchObject({ action: 'key.release', outcome: 'success', details: { tee: 'sev-snp', attestation: 'accepted', evidenceHash: outcome.evidenceHash, policy: 'release-phi-tee' } });
    expect(await releaser.release(request, KEYS)).toMatchObject({ ok: false, reason: 'nonce-replayed' });
    expect(audit.events[1]).toMatchObject({ outcome: 'denied', reason: 'nonce-replayed' });
  });

  it.each([
    ['debug-enabled', { policy: 0x30000n | (1n << 19n) }],
    ['measurement-not-allowed', { measurement: new Uint8Array(48).fill(1) }],
    ['cert-mismatch', { tcb: { ...TEST_TCB, snp: 7 } }],
    ['policy-violation', { vmpl: 2 }],
  ] as const)('refuses and ledgers %s', async (reason, fields) => {
    const { audit, outcome } = await attempt(fields);
    expect(outcome).toMatchObject({ ok: false, reason });
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ action: 'key.release', outcome: 'denied', reason, details: { tee: 'sev-snp', attestation: 'refused' } });
  });

  it('refuses a report with a changed byte (signature) and one bound to another key', async () => {
    expect((await attempt({}, (r) => void (r[0x90] = (r[0x90] ?? 0) ^ 1))).outcome).toMatchObject({ ok: false, reason: 'signature-invalid' });
    const other = await generateNodeKeyPair();
    const { releaser } = setup();
    const nonce = await releaser.challenge();
    const report = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(nonce, other.keyHash) });
    const mine = await generateNodeKeyPair();
    const outcome = await releaser.release({ job, nodeId: NODE, baaValid: true, nonce, publicKey: mine.publicKey, evidence: { report, vcek: pki.vcek.certPem, certChain: pki.certChain, crls: [pki.crl] } }, KEYS);
    expect(outcome).toMatchObject({ ok: false, reason: 'report-data-mismatch' });
  });
});
