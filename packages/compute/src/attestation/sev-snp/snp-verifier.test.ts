import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnpVerifier, type SnpEvidence, type SnpPolicy } from './snp-verifier.ts';
import { MemoryNonceStore } from '../nonce-store.ts';
import { reportDataBinding } from '../report-data-binding.ts';
import { derInt } from '../testing/openssl-pki.ts';
import {
  makeSnpPki,
  makeSnpReport,
  TEST_CHIP_ID,
  TEST_MEASUREMENT,
  TEST_TCB,
  vcekExtensionLines,
  type SnpTestPki,
} from '../testing/snp-test-kit.ts';
import { pemBlocksOf } from '../testing/pem.ts';
import { vector, vectorText } from '../testing/vectors.ts';
import type { VerifyContext } from '../attestation-result.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// teekit GCP Milan v5 report whose REPORT_DATA = SHA-512(NONCE ‖ X25519_KEY) (SOURCES.md).
const bound = vectorText('sev-snp/teekit_sev-gcp-x25519-bound.txt');
const NONCE = Buffer.from(/NONCE=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
const KEY = Buffer.from(/X25519_KEY=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
const MILAN_CRL = vectorText('sev-snp/openpcc_amd_milan_crl.pem');
const realEvidence: SnpEvidence = {
  report: vector('sev-snp/teekit_sev-gcp-x25519-bound.bin'),
  vcek: vector('sev-snp/teekit_sev-gcp-x25519-vcek.pem'),
  certChain: vectorText('sev-snp/ask_ark_milan.pem'),
  crls: [MILAN_CRL],
};
const REAL_MEASUREMENT = hex(vector('sev-snp/teekit_sev-gcp-x25519-bound.bin').subarray(0x90, 0xc0));
const realPolicy: SnpPolicy = {
  allowedMeasurements: [REAL_MEASUREMENT],
  minimumTcb: { bootloader: 4, tee: 0, snp: 27, microcode: 222 },
  maxVmpl: 1,
};
// Inside the VCEK (2025-12-05→2032-12-05) and the Milan CRL (2025-05-06→2026-05-12) windows.
const PINNED = new Date('2026-01-15T00:00:00Z');
const realContext: VerifyContext = { now: PINNED, expectedNonce: NONCE, expectedKeyHash: KEY };

const verifier = new SnpVerifier();

describe('SnpVerifier on real AMD evidence (pinned time)', () => {
  it('accepts the GCP report bound to nonce and key, chained to ARK-Milan with the Milan CRL', async () => {
    const result = await verifier.verify(realEvidence, realPolicy, realContext);
    expect(result).toMatchObject({
      ok: true,
      claims: {
        tee: 'sev-snp',
        measurement: REAL_MEASUREMENT,
        debug: false,
        tcb: { bootloader: 4, tee: 0, snp: 27, microcode: 222 },
        nonce: hex(NONCE),
      },
    });
    if (result.ok) expect(result.claims.evidenceHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['crl-expired', { ...realContext, now: new Date('2026-06-01T00:00:00Z') }, realEvidence, realPolicy],
    ['crl-missing', realContext, { ...realEvidence, crls: [] }, realPolicy],
    ['tcb-too-old', realContext, realEvidence, { ...realPolicy, minimumTcb: { bootloader: 4, tee: 0, snp: 27, microcode: 223 } }],
    ['measurement-not-allowed', realContext, realEvidence, { ...realPolicy, allowedMeasurements: ['00'.repeat(48)] }],
    ['report-data-mismatch', { ...realContext, expectedNonce: Buffer.alloc(32, 1) }, realEvidence, realPolicy],
    ['report-data-mismatch', { ...realContext, expectedKeyHash: Buffer.alloc(32, 1) }, realEvidence, realPolicy],
    ['policy-violation', realContext, realEvidence, { ...realPolicy, maxVmpl: 0 }],
    [
      'signature-invalid',
      realContext,
      { ...realEvidence, report: vector('sev-snp/teekit_sev-gcp-reportdata.bin'), vcek: vector('sev-snp/go-sev-guest_vcek.testcer') },
      realPolicy,
    ],
    ['chain-invalid', realContext, { ...realEvidence, certChain: vectorText('sev-snp/ask_ark_genoa.pem') }, realPolicy],
    ['root-untrusted', realContext, realEvidence, { ...realPolicy, trustedRoots: new Set(['sha256:' + '0'.repeat(64)]) }],
    ['chain-invalid', realContext, { ...realEvidence, vcek: vector('sev-snp/trustee_test-vcek-invalid-legacy.der') }, realPolicy],
    ['cert-expired', { ...realContext, now: new Date('2025-11-01T00:00:00Z') }, realEvidence, realPolicy],
  ] as const)('refuses with %s', async (reason, context, evidence, policy) => {
    expect(await verifier.verify(evidence, policy, context)).toMatchObject({ ok: false, reason });
  });

  it('refuses the go-sev-guest report: its guest policy allows debugging', async () => {
    const report = vector('sev-snp/go-sev-guest_attestation.bin');
    const result = await verifier.verify(
      { report, vcek: vector('sev-snp/go-sev-guest_vcek.testcer'), certChain: vectorText('sev-snp/ask_ark_milan.pem'), crls: [MILAN_CRL] },
      { allowedMeasurements: [hex(report.subarray(0x90, 0xc0))], minimumTcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 } },
      { ...realContext, now: new Date('2025-06-01T00:00:00Z') },
    );
    expect(result).toMatchObject({ ok: false, reason: 'debug-enabled' });
  });

  it('checks the VLEK chain (ASVK) and its expiry', async () => {
    const report = vector('sev-snp/trustee_test-vlek-report.bin');
    const evidence = {
      report,
      vcek: vector('sev-snp/trustee_test-vlek.der'),
      certChain: vectorText('sev-snp/ask_ark_milan_vlek.pem'),
      crls: [MILAN_CRL],
    };
    const policy = { allowedMeasurements: [hex(report.subarray(0x90, 0xc0))], minimumTcb: TEST_TCB, maxVmpl: 1 };
    // Everything but the binding passes in the VLEK's year; after 2025-12-10 the VLEK is expired.
    expect(await verifier.verify(evidence, policy, { ...realContext, now: new Date('2025-06-01T00:00:00Z') })).toMatchObject({
      reason: 'report-data-mismatch',
    });
    expect(await verifier.verify(evidence, policy, { ...realContext, now: new Date('2026-01-01T00:00:00Z') })).toMatchObject({
      reason: 'cert-expired',
    });
    expect(
      await verifier.verify(evidence, { ...policy, signingKeys: ['vcek'] }, { ...realContext, now: new Date('2025-06-01T00:00:00Z') }),
    ).toMatchObject({ reason: 'policy-violation' });
  });

  it('verifies the Azure Genoa report with the real (revoking) ARK-Genoa CRL in its window', async () => {
    const report = Uint8Array.from(
      (JSON.parse(vectorText('sev-snp/trustee_az-snp-vtpm_evidence-genoa.json')) as { report: number[] }).report,
    ).subarray(32, 32 + 1184);
    const evidence = {
      report,
      vcek: vectorText('sev-snp/trustee_az-snp-vtpm_vcek-genoa.pem'),
      certChain: vectorText('sev-snp/ask_ark_genoa.pem'),
      crls: [vectorText('sev-snp/openpcc_amd_genoa_crl.pem')],
    };
    const policy = {
      allowedMeasurements: [hex(report.subarray(0x90, 0xc0))],
      minimumTcb: { bootloader: 10, tee: 0, snp: 23, microcode: 84 },
      maxVmpl: 3,
    };
    expect(await verifier.verify(evidence, policy, { ...realContext, now: new Date('2025-06-01T00:00:00Z') })).toMatchObject({
      reason: 'report-data-mismatch',
    });
    expect(await verifier.verify(evidence, policy, { ...realContext, now: new Date('2025-12-01T00:00:00Z') })).toMatchObject({
      reason: 'crl-expired',
    });
    // openpcc's copy of an Azure Genoa HCL report (PEM "REPORT", SNP report at offset 32) with its own VCEK.
    const hcl = pemBlocksOf(vectorText('sev-snp/openpcc_azure-genoa_hcl-report.pem'))[0] as Uint8Array;
    const report2 = hcl.subarray(32, 32 + 1184);
    const evidence2 = { ...evidence, report: report2, vcek: vectorText('sev-snp/openpcc_azure-genoa_vcek.pem') };
    const policy2 = { ...policy, allowedMeasurements: [hex(report2.subarray(0x90, 0xc0))] };
    expect(await verifier.verify(evidence2, policy2, { ...realContext, now: new Date('2025-07-01T00:00:00Z') })).toMatchObject({
      reason: 'report-data-mismatch',
    });
    expect(
      await verifier.verify({ ...evidence2, vcek: evidence.vcek }, policy2, { ...realContext, now: new Date('2025-07-01T00:00:00Z') }),
    ).toMatchObject({ reason: 'signature-invalid' });
  });

  it('refuses misuse with TypeError', () => {
    expect(() => verifier.verify(realEvidence, realPolicy, { ...realContext, now: new Date(Number.NaN) })).toThrow(TypeError);
    expect(() => verifier.verify(realEvidence, realPolicy, { ...realContext, expectedNonce: new Uint8Array(4) })).toThrow(TypeError);
  });

  it('property: random byte mutations of the real report never verify and never throw', async () => {
    const original = vector('sev-snp/teekit_sev-gcp-x25519-bound.bin');
    await fc.assert(
      fc.asyncProperty(
        // One edit per byte: two edits of one byte with the same mask would cancel (seed 486484553 drew [[5,1],[5,1]]).
        fc.uniqueArray(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4, selector: ([at]) => at }),
        async (edits) => {
          const mutated = Uint8Array.from(original);
          for (const [at, x] of edits) mutated[at] = (mutated[at] as number) ^ x;
          const result = await verifier.verify({ ...realEvidence, report: mutated }, realPolicy, realContext);
          // Signed bytes, the signature, and the reserved rest (which must be zero): every byte counts.
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });

  it('property: truncated or extended reports are refused as malformed', async () => {
    const original = vector('sev-snp/teekit_sev-gcp-x25519-bound.bin');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2000 }).filter((n) => n !== 1184),
        async (n) => {
          const bytes = new Uint8Array(n);
          bytes.set(original.subarray(0, Math.min(n, original.length)));
          expect(await verifier.verify({ ...realEvidence, report: bytes }, realPolicy, realContext)).toMatchObject({
            ok: false,
            reason: 'evidence-malformed',
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('SnpVerifier on synthetic evidence under a test root', () => {
  let pki: SnpTestPki;
  let revoked: SnpTestPki;
  const keyHash = Buffer.alloc(32, 7);
  // An hour ahead: the test certificates are made in beforeAll, after this line runs.
  const now = new Date(Date.now() + 3_600_000);

  beforeAll(() => {
    pki = makeSnpPki();
    revoked = makeSnpPki({ revokeAsk: true });
  });
  afterAll(() => {
    pki.pki[Symbol.dispose]();
    revoked.pki[Symbol.dispose]();
  });

  const policyFor = (p: SnpTestPki): SnpPolicy => ({
    allowedMeasurements: [hex(TEST_MEASUREMENT)],
    minimumTcb: TEST_TCB,
    trustedRoots: new Set([p.arkFingerprint]),
  });
  const evidenceFor = (p: SnpTestPki, report: Uint8Array): SnpEvidence => ({
    report,
    vcek: p.vcek.certPem,
    certChain: p.certChain,
    crls: [p.crl],
  });

  it('accepts fresh evidence once; the same nonce again is a replay', async () => {
    const store = new MemoryNonceStore({ ttlMs: 60_000 });
    const v = new SnpVerifier({ nonceStore: store });
    const nonce = await store.issue(now);
    const report = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash) });
    const context = { now, expectedNonce: nonce, expectedKeyHash: keyHash };
    expect(await v.verify(evidenceFor(pki, report), policyFor(pki), context)).toMatchObject({ ok: true });
    expect(await v.verify(evidenceFor(pki, report), policyFor(pki), context)).toMatchObject({ ok: false, reason: 'nonce-replayed' });
    const stranger = Buffer.alloc(32, 9);
    const report2 = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(stranger, keyHash) });
    expect(await v.verify(evidenceFor(pki, report2), policyFor(pki), { ...context, expectedNonce: stranger })).toMatchObject({
      ok: false,
      reason: 'nonce-unknown',
    });
    const late = await store.issue(now);
    const report3 = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(late, keyHash) });
    expect(
      await v.verify(evidenceFor(pki, report3), policyFor(pki), { ...context, expectedNonce: late, now: new Date(now.getTime() + 61_000) }),
    ).toMatchObject({ ok: false, reason: 'nonce-expired' });
  });

  it.each([
    ['debug-enabled', { policy: 0x30000n | (1n << 19n) }],
    ['cert-mismatch', { tcb: { ...TEST_TCB, snp: 7 } }],
    ['measurement-not-allowed', { measurement: new Uint8Array(48).fill(1) }],
    ['cert-mismatch', { chipId: new Uint8Array(64).fill(2) }],
    ['policy-violation', { vmpl: 2 }],
    ['unsupported-evidence', { signingKey: 7 }],
  ] as const)('refuses %s', async (reason, fields) => {
    const nonce = Buffer.alloc(32, 3);
    const report = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash), ...fields });
    expect(
      await verifier.verify(evidenceFor(pki, report), policyFor(pki), { now, expectedNonce: nonce, expectedKeyHash: keyHash }),
    ).toMatchObject({ ok: false, reason });
  });

  it('Turin: its own TCB layout, the FMC SPL and the 8-byte hwID', async () => {
    const hwId = TEST_CHIP_ID.subarray(0, 8);
    const ext = [...vcekExtensionLines(TEST_TCB, hwId), `1.3.6.1.4.1.3704.1.3.9 = ${derInt(2)}`];
    const turin = makeSnpPki({ vcekExtensions: ext });
    try {
      const nonce = Buffer.alloc(32, 3);
      const context = { now, expectedNonce: nonce, expectedKeyHash: keyHash };
      const report = makeSnpReport(turin.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash), turinFmc: 2 });
      const accepted = await verifier.verify(evidenceFor(turin, report), policyFor(turin), context);
      expect(accepted).toMatchObject({ ok: true, claims: { tcb: { fmc: 2, bootloader: 3, tee: 0, snp: 8, microcode: 115 } } });
      const policy = { ...policyFor(turin), minimumTcb: { ...TEST_TCB, fmc: 3 } };
      expect(await verifier.verify(evidenceFor(turin, report), policy, context)).toMatchObject({ ok: false, reason: 'tcb-too-old' });
      const otherFmc = makeSnpReport(turin.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash), turinFmc: 1 });
      expect(await verifier.verify(evidenceFor(turin, otherFmc), policyFor(turin), context)).toMatchObject({
        ok: false,
        reason: 'cert-mismatch',
      });
    } finally {
      turin.pki[Symbol.dispose]();
    }
  });

  it('refuses a chain whose intermediate is not a CA (basicConstraints)', async () => {
    const notCa = makeSnpPki({ askIsCa: false });
    try {
      const nonce = Buffer.alloc(32, 3);
      const report = makeSnpReport(notCa.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash) });
      expect(
        await verifier.verify(evidenceFor(notCa, report), policyFor(notCa), { now, expectedNonce: nonce, expectedKeyHash: keyHash }),
      ).toMatchObject({
        ok: false,
        reason: 'chain-invalid',
        detail: expect.stringMatching(/not a CA/) as unknown,
      });
    } finally {
      notCa.pki[Symbol.dispose]();
    }
  });

  it('refuses a bad signature, a wrong chain, a revoked ASK and an expired VCEK', async () => {
    const nonce = Buffer.alloc(32, 3);
    const context = { now, expectedNonce: nonce, expectedKeyHash: keyHash };
    const report = makeSnpReport(pki.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash) });
    expect(await verifier.verify(evidenceFor(pki, report), policyFor(pki), context)).toMatchObject({ ok: true });
    const tampered = Uint8Array.from(report);
    tampered[0x90] = (tampered[0x90] as number) ^ 1;
    expect(
      await verifier.verify(
        evidenceFor(pki, tampered),
        { ...policyFor(pki), allowedMeasurements: [hex(tampered.subarray(0x90, 0xc0))] },
        context,
      ),
    ).toMatchObject({ reason: 'signature-invalid' });
    const bothRoots = { ...policyFor(pki), trustedRoots: new Set([pki.arkFingerprint, revoked.arkFingerprint]) };
    expect(await verifier.verify({ ...evidenceFor(pki, report), certChain: revoked.certChain }, bothRoots, context)).toMatchObject({
      reason: 'chain-invalid',
    });
    expect(await verifier.verify({ ...evidenceFor(pki, report), certChain: revoked.certChain }, policyFor(pki), context)).toMatchObject({
      reason: 'root-untrusted',
    });
    expect(
      await verifier.verify(evidenceFor(pki, report), { ...policyFor(pki), minimumTcb: { ...TEST_TCB, snp: 9 } }, context),
    ).toMatchObject({ reason: 'tcb-too-old' });
    const r2 = makeSnpReport(revoked.vcek.keyFile, { reportData: reportDataBinding(nonce, keyHash) });
    expect(await verifier.verify(evidenceFor(revoked, r2), policyFor(revoked), context)).toMatchObject({ reason: 'cert-revoked' });
    expect(
      await verifier.verify(evidenceFor(pki, report), policyFor(pki), { ...context, now: new Date(now.getTime() + 11 * 365 * 86_400_000) }),
    ).toMatchObject({ reason: 'cert-expired' });
  });
});
