import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { validateAuditEvent } from '@phiguard/audit';
import { ConfigError, loadConfig, ManualClock, newId, type PhiguardConfig } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_REASONS, type VerifyContext, type VerifyResult } from '../attestation/attestation-result.ts';
import { AMD_ARK_FINGERPRINTS } from '../attestation/sev-snp/amd-roots.ts';
import { reportDataBinding } from '../attestation/report-data-binding.ts';
import { summarizeForAudit } from '../attestation/summarize-for-audit.ts';
import { makeTdxCollateral, makeTdxPki, makeTdxQuote, TDX_MRTD, type TdxTestPki } from '../attestation/testing/tdx-test-kit.ts';
import { vector, vectorText, VECTORS } from '../attestation/testing/vectors.ts';
import { parseCertificate } from '../attestation/x509/certificate.ts';
import { ComputeError } from '../compute-error.ts';
import { MemoryNonceStore } from '../attestation/nonce-store.ts';
import { ComputePolicy } from '../placement/compute-policy.ts';
import { KeyReleaser } from '../release/key-releaser.ts';
import { generateNodeKeyPair } from '../release/node-key.ts';
import { openSealedKeys } from '../release/sealed-keys.ts';
import { AMD_ARK_BY_PRODUCT, configuredEvidenceRouter, configuredGpuEvidenceRouter } from './configured-evidence-router.ts';
import type { EvidenceRouter, WireEvidence } from './evidence-router.ts';
import { buildSnpCertTable, parseSnpCertTable } from './snp-cert-table.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-attest-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `attestation` as a JSON config file and loads it the way `phiguard serve` does. */
function configWith(attestation: unknown): PhiguardConfig {
  const file = path.join(dir, `config-${String(Math.random()).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ attestation }));
  return loadConfig({ cwd: dir, env: { PHIGUARD_HOME: path.join(dir, 'home') }, file });
}
function write(name: string, data: string | Uint8Array): string {
  writeFileSync(path.join(dir, name), data);
  return name;
}
async function routerFor(attestation: unknown, warn?: (line: string) => void): Promise<EvidenceRouter> {
  return configuredEvidenceRouter(configWith(attestation).attestation, warn === undefined ? {} : { warn });
}
/** A refusal is ledgerable: a known reason, and an audit event with its summary validates. */
function expectLedgerable(result: VerifyResult, reason: string): void {
  expect(result).toMatchObject({ ok: false, reason });
  expect(REFUSAL_REASONS).toContain(reason);
  const details = summarizeForAudit(result);
  expect(() =>
    validateAuditEvent({ actor: { kind: 'system', id: 'attestation' }, action: 'attestation.verify', outcome: 'failure', details }),
  ).not.toThrow();
}

// ------------------------------------------------------------------ AMD SEV-SNP (real GCP Milan report)
const bound = vectorText('sev-snp/teekit_sev-gcp-x25519-bound.txt');
const NONCE = Buffer.from(/NONCE=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
const KEY = Buffer.from(/X25519_KEY=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
const SNP_REPORT = vector('sev-snp/teekit_sev-gcp-x25519-bound.bin');
const SNP_MEASUREMENT = hex(SNP_REPORT.subarray(0x90, 0xc0));
const SNP_VCEK_DER = parseCertificate(vectorText('sev-snp/teekit_sev-gcp-x25519-vcek.pem')).der;
// Inside the VCEK and the Milan CRL windows (as snp-verifier.test.ts pins it).
const snpContext: VerifyContext = { now: new Date('2026-01-15T00:00:00Z'), expectedNonce: NONCE, expectedKeyHash: KEY };
const snpConfig = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  sevSnp: {
    product: 'milan',
    allowedMeasurements: [SNP_MEASUREMENT],
    minimumTcb: { bootloader: 4, tee: 0, snp: 27, microcode: 222 },
    maxVmpl: 1,
    certChainFile: path.join(VECTORS, 'sev-snp/ask_ark_milan.pem'),
    crlFiles: [path.join(VECTORS, 'sev-snp/openpcc_amd_milan_crl.pem')],
    debug: 'forbidden',
    ...over,
  },
});
/** What the agent's configfs-tsm collector sends: outblob and auxblob, base64. */
const snpWire = (report: Uint8Array, table: Uint8Array): WireEvidence => ({ kind: 'sev-snp', report: b64(report), certTable: b64(table) });

describe('configured router: SEV-SNP through the configfs-tsm wire form (real evidence, pinned time)', () => {
  it('every product ARK is one of the pinned AMD roots', () => {
    for (const fingerprint of Object.values(AMD_ARK_BY_PRODUCT)) expect(AMD_ARK_FINGERPRINTS.has(fingerprint)).toBe(true);
  });

  it('accepts the GCP report when the policy allows its measurement (VCEK from the certificate table)', async () => {
    const router = await routerFor(snpConfig());
    expect(router.kinds).toEqual(['insecure-local', 'sev-snp']);
    const result = await router.verify(snpWire(SNP_REPORT, buildSnpCertTable({ vcek: SNP_VCEK_DER })), null, snpContext);
    expect(result).toMatchObject({ ok: true, claims: { tee: 'sev-snp', measurement: SNP_MEASUREMENT, debug: false } });
  });

  it('accepts with an empty certificate table when the VCEK is a configured file', async () => {
    const router = await routerFor(snpConfig({ vcekFiles: [path.join(VECTORS, 'sev-snp/teekit_sev-gcp-x25519-vcek.pem')] }));
    expect(await router.verify(snpWire(SNP_REPORT, new Uint8Array()), null, snpContext)).toMatchObject({ ok: true });
    // Another chip's VCEK only: nothing to verify the report with.
    const other = await routerFor(snpConfig({ vcekFiles: [path.join(VECTORS, 'sev-snp/go-sev-guest_vcek.testcer')] }));
    expectLedgerable(await other.verify(snpWire(SNP_REPORT, new Uint8Array()), null, snpContext), 'evidence-malformed');
  });

  it('refuses, ledgerably, a measurement outside the allow-list, a newer minimum TCB and VMPL 1 when 0 is the maximum', async () => {
    const wire = snpWire(SNP_REPORT, buildSnpCertTable({ vcek: SNP_VCEK_DER }));
    expectLedgerable(
      await (await routerFor(snpConfig({ allowedMeasurements: ['ab'.repeat(48)] }))).verify(wire, null, snpContext),
      'measurement-not-allowed',
    );
    const newer = { bootloader: 4, tee: 0, snp: 28, microcode: 222 };
    expectLedgerable(await (await routerFor(snpConfig({ minimumTcb: newer }))).verify(wire, null, snpContext), 'tcb-too-old');
    expectLedgerable(await (await routerFor(snpConfig({ maxVmpl: 0 }))).verify(wire, null, snpContext), 'policy-violation');
  });

  it('refuses a debuggable guest (go-sev-guest report, policy DEBUG=1) although its measurement is allowed', async () => {
    const report = vector('sev-snp/go-sev-guest_attestation.bin');
    const router = await routerFor(
      snpConfig({
        allowedMeasurements: [hex(report.subarray(0x90, 0xc0))],
        minimumTcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 },
        maxVmpl: 0,
      }),
    );
    const table = buildSnpCertTable({ vcek: parseCertificate(vector('sev-snp/go-sev-guest_vcek.testcer')).der });
    expectLedgerable(
      await router.verify(snpWire(report, table), null, { ...snpContext, now: new Date('2025-06-01T00:00:00Z') }),
      'debug-enabled',
    );
  });

  it('refuses evidence bound to another nonce and wire forms that do not decode', async () => {
    const router = await routerFor(snpConfig());
    const wire = snpWire(SNP_REPORT, buildSnpCertTable({ vcek: SNP_VCEK_DER }));
    expectLedgerable(await router.verify(wire, null, { ...snpContext, expectedNonce: Buffer.alloc(32, 9) }), 'report-data-mismatch');
    expectLedgerable(await router.verify({ kind: 'sev-snp', report: '%%%' }, null, snpContext), 'evidence-malformed');
    expectLedgerable(
      await router.verify({ kind: 'sev-snp', report: b64(SNP_REPORT), certTable: b64(new Uint8Array(10)) }, null, snpContext),
      'evidence-malformed',
    );
    expectLedgerable(await router.verify({ kind: 'tdx', quote: b64(SNP_REPORT) }, null, snpContext), 'unsupported-evidence');
  });

  it('a chain file of another product, or a missing file, stops the router build naming the field', async () => {
    const genoa = configWith(snpConfig({ certChainFile: path.join(VECTORS, 'sev-snp/ask_ark_genoa.pem') })).attestation;
    await expect(configuredEvidenceRouter(genoa)).rejects.toMatchObject({ place: { field: 'attestation.sevSnp.certChainFile' } });
    const missing = configWith(snpConfig({ crlFiles: ['no-such.crl'] })).attestation;
    const error = await configuredEvidenceRouter(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComputeError);
    expect((error as ComputeError).describe()).toContain('attestation.sevSnp.crlFiles[0]');
  });
});

describe('SNP certificate table', () => {
  it('round-trips and never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (vcek, ark) => {
        expect(parseSnpCertTable(buildSnpCertTable({ vcek, ark }))).toEqual({ vcek, ark });
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void parseSnpCertTable(bytes)));
  });
});

// ------------------------------------------------------------------ Intel TDX
interface PhalaCollateral {
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
}
const phalaQuote = vector('tdx/phala_tdx_quote.dat');
const PHALA_MRTD = hex(phalaQuote.subarray(184, 232));
// SOURCES.md: inside the tcbInfo, QE identity, root CRL and PCK CRL windows.
const phalaContext: VerifyContext = {
  now: new Date('2025-07-01T00:00:00Z'),
  expectedNonce: Buffer.alloc(32, 1),
  expectedKeyHash: Buffer.alloc(32, 2),
};

/** The Phala collateral as the files an operator downloads from Intel PCS. */
function phalaFiles(): Record<string, unknown> {
  const c = JSON.parse(vectorText('tdx/phala_tdx_quote_collateral.json')) as PhalaCollateral;
  return {
    crlFiles: [write('root-ca.crl', Buffer.from(c.root_ca_crl, 'hex')), write('pck-platform.crl', Buffer.from(c.pck_crl, 'hex'))],
    tcbInfoFiles: [write('tcbinfo.json', `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`)],
    tcbInfoIssuerChainFile: write('tcb-issuer.pem', c.tcb_info_issuer_chain),
    qeIdentityFile: write('qe-identity.json', `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`),
    qeIdentityIssuerChainFile: write('qe-issuer.pem', c.qe_identity_issuer_chain),
  };
}

describe('configured router: TDX through the wire form', () => {
  it('real Phala quote with Intel PCS files: every check up to the REPORTDATA binding passes (it is not bound to our nonce)', async () => {
    const router = await routerFor({ tdx: { allowedMrTd: [PHALA_MRTD], ...phalaFiles() } });
    expectLedgerable(await router.verify({ kind: 'tdx', quote: b64(phalaQuote) }, null, phalaContext), 'report-data-mismatch');
  });

  it('real Phala quote: MRTD or RTMR outside the allow-list is refused before the binding', async () => {
    const wire = { kind: 'tdx', quote: b64(phalaQuote) };
    const notListed = await routerFor({ tdx: { allowedMrTd: ['cd'.repeat(48)], ...phalaFiles() } });
    expectLedgerable(await notListed.verify(wire, null, phalaContext), 'measurement-not-allowed');
    const rtmr = await routerFor({ tdx: { allowedMrTd: [PHALA_MRTD], allowedRtmrs: { 2: ['00'.repeat(48)] }, ...phalaFiles() } });
    expectLedgerable(await rtmr.verify(wire, null, phalaContext), 'measurement-not-allowed');
  });

  describe('synthetic quotes under a test root given as rootCaFile', () => {
    let pki: TdxTestPki & { crls: string[] };
    const now = new Date(Date.now() + 3_600_000);
    const keyHash = Buffer.alloc(32, 7);
    const nonce = Buffer.alloc(32, 3);
    beforeAll(() => {
      pki = makeTdxPki();
    });
    afterAll(() => {
      pki.pki[Symbol.dispose]();
    });
    const files = (): Record<string, unknown> => {
      const c = makeTdxCollateral(pki, now);
      return {
        rootCaFile: pki.root.certFile,
        crlFiles: c.crls.map((crl, i) => write(`test-${String(i)}.crl`, crl as string)),
        tcbInfoFiles: [write('test-tcbinfo.json', `{"tcbInfo":${c.tcbInfo},"signature":"${c.tcbInfoSignature}"}`)],
        tcbInfoIssuerChainFile: write('test-issuer.pem', c.tcbInfoIssuerChain),
        qeIdentityFile: write('test-qe.json', `{"enclaveIdentity":${c.qeIdentity ?? ''},"signature":"${c.qeIdentitySignature ?? ''}"}`),
      };
    };

    it('accepts a bound quote whose MRTD is allowed, warning that the root is not Intel’s', async () => {
      const warnings: string[] = [];
      const router = await routerFor({ tdx: { allowedMrTd: [hex(TDX_MRTD)], ...files() } }, (w) => warnings.push(w));
      expect(warnings.join('\n')).toContain('attestation.tdx.rootCaFile');
      const quote = makeTdxQuote(pki, { reportData: reportDataBinding(nonce, keyHash) });
      const result = await router.verify({ kind: 'tdx', quote: b64(quote) }, null, { now, expectedNonce: nonce, expectedKeyHash: keyHash });
      expect(result).toMatchObject({ ok: true, claims: { tee: 'tdx', measurement: hex(TDX_MRTD), tcbStatus: 'UpToDate', debug: false } });
    });

    it('refuses the same quote with the debug attribute set, and with an MRTD not listed', async () => {
      const ctx = { now, expectedNonce: nonce, expectedKeyHash: keyHash };
      const reportData = reportDataBinding(nonce, keyHash);
      const router = await routerFor({ tdx: { allowedMrTd: [hex(TDX_MRTD)], ...files() } });
      const debug = makeTdxQuote(pki, { reportData, tdAttributes: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]) });
      expectLedgerable(await router.verify({ kind: 'tdx', quote: b64(debug) }, null, ctx), 'debug-enabled');
      const other = makeTdxQuote(pki, { reportData, mrTd: new Uint8Array(48).fill(0x11) });
      expectLedgerable(await router.verify({ kind: 'tdx', quote: b64(other) }, null, ctx), 'measurement-not-allowed');
    });

    it('a configured TDX node gets a PHI job’s keys through KeyReleaser (as serve wires it); an unlisted MRTD is refused and ledgered', async () => {
      const clock = new ManualClock(now);
      const audit = new MemoryAuditRecorder();
      const verifier = await routerFor({ tdx: { allowedMrTd: [hex(TDX_MRTD)], ...files() } });
      const releaser = new KeyReleaser({
        verifier,
        verifierPolicy: null,
        policy: new ComputePolicy(),
        nonces: new MemoryNonceStore({ ttlMs: 60_000 }),
        audit,
        clock,
      });
      const job = {
        id: newId('job', clock),
        classification: 'phi' as const,
        gpuCount: 0,
        gpuModels: [],
        minGpuMemoryGiB: 0,
        budgetMicroUsdPerHour: undefined,
        regions: [],
      };
      const keys = [{ id: 'key_dataset1', key: new Uint8Array(32).fill(0x42) }];
      const ask = async (mrTd?: Uint8Array) => {
        const node = await generateNodeKeyPair();
        const challenge = await releaser.challenge();
        const quote = makeTdxQuote(pki, {
          reportData: reportDataBinding(challenge, node.keyHash),
          ...(mrTd === undefined ? {} : { mrTd }),
        });
        const request = {
          job,
          nodeId: newId('node', clock),
          baaValid: true,
          nonce: challenge,
          publicKey: node.publicKey,
          evidence: { kind: 'tdx', quote: b64(quote) },
        };
        return { node, outcome: await releaser.release(request, keys) };
      };
      const { node, outcome } = await ask();
      if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
      expect(outcome.policyIds).toEqual(['release-phi-tee']);
      expect(
        (await openSealedKeys(outcome.sealed, node.privateKey, { jobId: job.id, evidenceHash: outcome.evidenceHash }))?.[0]?.key,
      ).toEqual(keys[0]?.key);
      expect(await ask(new Uint8Array(48).fill(0x11))).toMatchObject({ outcome: { ok: false, reason: 'measurement-not-allowed' } });
      expect(audit.events.map((e) => [e.outcome, e.details?.tee])).toEqual([
        ['success', 'tdx'],
        ['denied', 'tdx'],
      ]);
    });
  });
});

// ------------------------------------------------------------------ NVIDIA GPU
describe('configured GPU router (real Hopper report, nvtrust chain)', () => {
  const wire = {
    kind: 'nvidia-gpu',
    report: b64(Buffer.from(vectorText('nvidia-gpu/nvtrust_hopperAttestationReport.txt').trim(), 'hex')),
    certChain: vectorText('nvidia-gpu/nvtrust_hopperCertChain.txt'),
  };
  const ctx: VerifyContext = {
    now: new Date('2026-01-01T00:00:00Z'),
    expectedNonce: Buffer.alloc(32, 1),
    expectedKeyHash: Buffer.alloc(32, 2),
  };
  const gpuConfig = (root: string): unknown => ({
    nvidiaGpu: {
      referenceMeasurementFiles: [path.join(VECTORS, 'nvidia-gpu/nvtrust_1010_0200_882_960074001A_PROD.swidtag')],
      deviceRootCertFile: path.join(VECTORS, `nvidia-gpu/${root}`),
    },
  });

  it('is absent without an nvidiaGpu section; with one, chain and signature pass and the configured RIM is compared', async () => {
    expect(await configuredGpuEvidenceRouter(configWith(snpConfig()).attestation)).toBeUndefined();
    const router = await configuredGpuEvidenceRouter(configWith(gpuConfig('nvtrust_verifier_device_root.pem')).attestation);
    expect(router?.kinds).toEqual(['nvidia-gpu']);
    // The public sample's measurements are not the PROD RIM's (gpu-verifier.test.ts): refused at the reference values.
    expectLedgerable(await (router as EvidenceRouter).verify(wire, null, ctx), 'rim-mismatch');
  });

  it('another root as deviceRootCertFile is logged at start and the chain is then refused', async () => {
    const warnings: string[] = [];
    const cfg = configWith(gpuConfig('nvtrust_verifier_RIM_root.pem')).attestation;
    const router = await configuredGpuEvidenceRouter(cfg, { warn: (w) => warnings.push(w) });
    expect(warnings.join('\n')).toContain('attestation.nvidiaGpu.deviceRootCertFile');
    expectLedgerable(await (router as EvidenceRouter).verify(wire, null, ctx), 'root-untrusted');
    expect((await configuredEvidenceRouter(cfg)).kinds).toEqual(['insecure-local']);
  });
});

// ------------------------------------------------------------------ config validation
describe('attestation config validation names the path', () => {
  const problems = (attestation: unknown): string => {
    try {
      configWith(attestation);
      return 'valid';
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
  };

  it.each([
    [snpConfig({ allowedMeasurements: ['zz'] }), 'attestation.sevSnp.allowedMeasurements[0] must be 96 hex characters'],
    [snpConfig({ debug: 'allowed' }), 'attestation.sevSnp.debug may only be "forbidden"'],
    [snpConfig({ product: 'naples' }), 'attestation.sevSnp.product must be one of milan, genoa, turin'],
    [
      snpConfig({ minimumTcb: { bootloader: 4, tee: 0, snp: 300, microcode: 1 } }),
      'attestation.sevSnp.minimumTcb.snp must be an integer 0..255',
    ],
    [snpConfig({ crlFiles: [] }), 'attestation.sevSnp.crlFiles must be a list of at least 1'],
    [snpConfig({ measurement: 'x' }), 'attestation.sevSnp.measurement is not a known setting'],
    [{ tdx: { allowedMrTd: [PHALA_MRTD], debug: true } }, 'attestation.tdx.debug may only be "forbidden"'],
    [
      { tdx: { allowedMrTd: [PHALA_MRTD], acceptedTcbStatuses: ['OutOfDate'] } },
      'attestation.tdx.acceptedTcbStatuses must not accept OutOfDate',
    ],
    [{ tdx: { allowedMrTd: [PHALA_MRTD], allowedRtmrs: { 4: [PHALA_MRTD] } } }, 'attestation.tdx.allowedRtmrs.4 is not an RTMR index'],
    [{ tdx: { allowedMrTd: [PHALA_MRTD] } }, 'attestation.tdx.qeIdentityFile must be a file path'],
    [{ nvidiaGpu: { referenceMeasurementFiles: 'rim.xml' } }, 'attestation.nvidiaGpu.referenceMeasurementFiles must be a list'],
    [{ sgx: {} }, 'attestation.sgx is not a known setting'],
    [[], 'attestation must be an object'],
  ])('%j', (attestation, message) => {
    expect(problems(attestation)).toContain(message);
  });

  it('a valid section loads with paths resolved against the working directory', () => {
    const cfg = configWith({ tdx: { allowedMrTd: [PHALA_MRTD.toUpperCase()], ...phalaFiles() } });
    expect(cfg.attestation?.tdx).toMatchObject({
      allowedMrTd: [PHALA_MRTD],
      acceptedTcbStatuses: ['UpToDate'],
      qeIdentityFile: path.join(dir, 'qe-identity.json'),
    });
    expect(configWith(undefined).attestation).toBeUndefined();
  });
});
