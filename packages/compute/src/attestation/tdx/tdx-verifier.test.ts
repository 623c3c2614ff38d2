import fc from 'fast-check';
import { validateAuditEvent } from '@phiguard/audit';
import { summarizeForAudit } from '../summarize-for-audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPcsBody, type TdxCollateral } from './tdx-collateral.ts';
import { withoutTrailer } from '../testing/tdx-vectors.ts';
import { appraiseTdxQuote, TdxVerifier, type TdxPolicy } from './tdx-verifier.ts';
import { Refusal } from '../attestation-result.ts';
import { MemoryNonceStore } from '../nonce-store.ts';
import { reportDataBinding } from '../report-data-binding.ts';
import { makeTdxCollateral, makeTdxPki, makeTdxQuote, TDX_MRTD, type TdxTestPki } from '../testing/tdx-test-kit.ts';
import { vector, vectorText } from '../testing/vectors.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const mrtdOf = (q: Uint8Array): string => hex(q.subarray(184, 232));

interface PhalaCollateral {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
}
function phalaCollateral(file: string): TdxCollateral {
  const c = JSON.parse(vectorText(`tdx/${file}`)) as PhalaCollateral;
  return {
    tcbInfo: c.tcb_info,
    tcbInfoSignature: c.tcb_info_signature,
    tcbInfoIssuerChain: c.tcb_info_issuer_chain,
    qeIdentity: c.qe_identity,
    qeIdentitySignature: c.qe_identity_signature,
    qeIdentityIssuerChain: c.qe_identity_issuer_chain,
    crls: [Buffer.from(c.root_ca_crl, 'hex'), Buffer.from(c.pck_crl, 'hex')],
  };
}

function refusalOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (error instanceof Refusal) return error.reason;
    throw error;
  }
}

const phalaQuote = vector('tdx/phala_tdx_quote.dat');
const phala = { quote: phalaQuote, collateral: phalaCollateral('phala_tdx_quote_collateral.json') };
const withoutQeIdentity: TdxCollateral = {
  tcbInfo: phala.collateral.tcbInfo,
  tcbInfoSignature: phala.collateral.tcbInfoSignature,
  tcbInfoIssuerChain: phala.collateral.tcbInfoIssuerChain,
  crls: phala.collateral.crls,
};
const phalaPolicy: TdxPolicy = { allowedMrTd: [mrtdOf(phalaQuote)] };
// SOURCES.md: intersection of the tcbInfo, qeIdentity, root CRL and PCK CRL windows.
const PHALA_TIME = new Date('2025-07-01T00:00:00Z');
const ctx = { now: PHALA_TIME, expectedNonce: Buffer.alloc(32, 1), expectedKeyHash: Buffer.alloc(32, 2) };
const verifier = new TdxVerifier();

describe('TDX appraisal of real quotes with Intel collateral (pinned times)', () => {
  it('Phala v4 quote: every signature, the PCK chain with both CRLs, tcbInfo and QE identity → UpToDate', () => {
    const a = appraiseTdxQuote(phala, phalaPolicy, PHALA_TIME);
    expect(a).toMatchObject({ tcbStatus: 'UpToDate', qeStatus: 'UpToDate', fmspc: 'b0c06f000000' });
  });

  it('the verifier then refuses only for the REPORTDATA binding (these quotes are not bound to our nonce)', async () => {
    expect(await verifier.verify(phala, phalaPolicy, ctx)).toMatchObject({ ok: false, reason: 'report-data-mismatch', tee: 'tdx' });
  });

  it.each([
    ['measurement-not-allowed', phala, { allowedMrTd: ['00'.repeat(48)] }, PHALA_TIME],
    ['measurement-not-allowed', phala, { ...phalaPolicy, allowedRtmrs: { 2: ['00'.repeat(48)] } }, PHALA_TIME],
    ['root-untrusted', phala, { ...phalaPolicy, trustedRoots: new Set(['sha256:' + '1'.repeat(64)]) }, PHALA_TIME],
    ['crl-expired', phala, phalaPolicy, new Date('2025-08-01T00:00:00Z')],
    ['crl-missing', { ...phala, collateral: { ...phala.collateral, crls: [] } }, phalaPolicy, PHALA_TIME],
    ['collateral-invalid', { ...phala, collateral: { ...phala.collateral, tcbInfoSignature: '00'.repeat(64) } }, phalaPolicy, PHALA_TIME],
    ['collateral-invalid', { ...phala, collateral: withoutQeIdentity }, phalaPolicy, PHALA_TIME],
    [
      'tcb-status-refused',
      { quote: vector('tdx/phala_tdx_quote_outdated.dat'), collateral: phalaCollateral('phala_tdx_quote_outdated_collateral.json') },
      { allowedMrTd: [] },
      new Date('2026-03-01T00:00:00Z'),
    ],
  ] as const)('refuses with %s', (reason, evidence, policy, now) => {
    expect(refusalOf(() => appraiseTdxQuote(evidence, policy, now))).toBe(reason);
  });

  it('refuses a bad quote signature and a bad QE report signature', () => {
    const body = Uint8Array.from(phalaQuote);
    body[200] = (body[200] as number) ^ 1; // inside MRTD
    expect(refusalOf(() => appraiseTdxQuote({ ...phala, quote: body }, { allowedMrTd: [mrtdOf(body)] }, PHALA_TIME))).toBe(
      'signature-invalid',
    );
    const qe = Uint8Array.from(phalaQuote);
    qe[636 + 128 + 6 + 100] = (qe[636 + 128 + 6 + 100] as number) ^ 1; // inside the QE report
    expect(refusalOf(() => appraiseTdxQuote({ ...phala, quote: qe }, phalaPolicy, PHALA_TIME))).toBe('signature-invalid');
  });

  it('go-tdx-guest v4 (SPR E4) with its 2023 collateral: signatures and CRLs pass, no TCB level matches → refused', () => {
    const quote = withoutTrailer(vector('tdx/go-tdx-guest_tdx_prod_quote_SPR_E4.dat'));
    const t = splitPcsBody(vectorText('tdx/go-tdx-guest_sample_tcbInfo_response'));
    const q = splitPcsBody(vectorText('tdx/go-tdx-guest_sample_qeIdentity_response'));
    const chain = vectorText('tdx/go-tdx-guest_derived_tcbInfoIssuerChain.pem');
    const collateral = {
      tcbInfo: t.signed,
      tcbInfoSignature: t.signature,
      tcbInfoIssuerChain: chain,
      qeIdentity: q.signed,
      qeIdentitySignature: q.signature,
      qeIdentityIssuerChain: chain,
      crls: [vector('tdx/go-tdx-guest_rootcrl.der'), vector('tdx/go-tdx-guest_pckcrl')],
    };
    expect(
      refusalOf(() => appraiseTdxQuote({ quote, collateral }, { allowedMrTd: [mrtdOf(quote)] }, new Date('2023-07-01T01:00:00Z'))),
    ).toBe('tcb-status-refused');
    // The 2018 TCB Signing certificate expired on 2025-05-21.
    expect(
      refusalOf(() => appraiseTdxQuote({ quote, collateral }, { allowedMrTd: [mrtdOf(quote)] }, new Date('2025-06-01T00:00:00Z'))),
    ).toBe('crl-expired');
    expect(
      refusalOf(() =>
        appraiseTdxQuote(
          { quote, collateral: { ...collateral, crls: [] } },
          { allowedMrTd: [mrtdOf(quote)], requireCrls: 'none' },
          new Date('2025-06-01T00:00:00Z'),
        ),
      ),
    ).toBe('cert-expired');
  });

  it('go-tdx-guest v5 (TD 1.5 body) with tcbInfo v5 and the 2025 TCB Signing chain → UpToDate (no CRLs/QE identity shipped)', () => {
    const quote = vector('tdx/go-tdx-guest_quote_v5_sample.dat');
    const t = splitPcsBody(vectorText('tdx/go-tdx-guest_sample_tcbinfo_response_v5'));
    const collateral = {
      tcbInfo: t.signed,
      tcbInfoSignature: t.signature,
      tcbInfoIssuerChain: vectorText('tdx/phala_derived_tcb-signing-chain-2025.pem'),
      crls: [],
    };
    const policy: TdxPolicy = { allowedMrTd: [hex(quote.subarray(54 + 136, 54 + 184))], requireCrls: 'none', requireQeIdentity: false };
    expect(appraiseTdxQuote({ quote, collateral }, policy, new Date('2026-02-03T01:00:00Z'))).toMatchObject({
      tcbStatus: 'UpToDate',
      qeStatus: undefined,
    });
  });

  it('the Intel QVL sample chains to Intel’s *test* root, never to the production pin', () => {
    const quote = vector('tdx/teekit_intelqvl-tdx_quote.dat');
    const collateral = { tcbInfo: '{}', tcbInfoSignature: '', tcbInfoIssuerChain: '', crls: [] };
    expect(
      refusalOf(() => appraiseTdxQuote({ quote, collateral }, { allowedMrTd: [], requireCrls: 'none' }, new Date('2025-01-01T00:00:00Z'))),
    ).toBe('root-untrusted');
  });

  it('property: random byte mutations of the real quote never pass appraisal and never throw from verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        // One edit per byte: two edits of one byte with the same mask would cancel and leave the quote intact.
        fc.uniqueArray(fc.tuple(fc.nat({ max: phalaQuote.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3, selector: ([at]) => at }),
        async (edits) => {
          const mutated = Uint8Array.from(phalaQuote);
          for (const [at, x] of edits) mutated[at] = (mutated[at] as number) ^ x;
          const result = await verifier.verify({ ...phala, quote: mutated }, phalaPolicy, ctx);
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
    );
  });
});

describe('TdxVerifier on synthetic quotes under a test Intel-like PKI', () => {
  let pki: TdxTestPki & { crls: string[] };
  let revoked: TdxTestPki & { crls: string[] };
  const now = new Date(Date.now() + 3_600_000);
  const keyHash = Buffer.alloc(32, 7);
  beforeAll(() => {
    pki = makeTdxPki();
    revoked = makeTdxPki({ revokePck: true });
  });
  afterAll(() => {
    pki.pki[Symbol.dispose]();
    revoked.pki[Symbol.dispose]();
  });
  const policy = (p: TdxTestPki): TdxPolicy => ({ allowedMrTd: [hex(TDX_MRTD)], trustedRoots: new Set([p.rootFingerprint]) });

  it('accepts a bound quote once; replay, debug, MRTD, OutOfDate TCB and a revoked PCK are refused', async () => {
    const store = new MemoryNonceStore({ ttlMs: 60_000 });
    const v = new TdxVerifier({ nonceStore: store });
    const nonce = await store.issue(now);
    const reportData = reportDataBinding(nonce, keyHash);
    const context = { now, expectedNonce: nonce, expectedKeyHash: keyHash };
    const evidence = { quote: makeTdxQuote(pki, { reportData }), collateral: makeTdxCollateral(pki, now) };
    const accepted = await v.verify(evidence, policy(pki), context);
    expect(accepted).toMatchObject({ ok: true, claims: { tee: 'tdx', tcbStatus: 'UpToDate', measurement: hex(TDX_MRTD) } });
    const details = summarizeForAudit(accepted);
    expect(details).toMatchObject({ tee: 'tdx', attestation: 'accepted', tcbStatus: 'uptodate', tcbTeeTcbSvn0: 3 });
    expect(() =>
      validateAuditEvent({ actor: { kind: 'system', id: 'attestation' }, action: 'attestation.verify', outcome: 'success', details }),
    ).not.toThrow();
    expect(await v.verify(evidence, policy(pki), context)).toMatchObject({ ok: false, reason: 'nonce-replayed' });
    const check = async (reason: string, quote: Uint8Array, collateral = makeTdxCollateral(pki, now), p = pki): Promise<void> => {
      expect(await verifier.verify({ quote, collateral }, policy(p), context)).toMatchObject({ ok: false, reason });
    };
    await check('debug-enabled', makeTdxQuote(pki, { reportData, tdAttributes: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]) }));
    await check('measurement-not-allowed', makeTdxQuote(pki, { reportData, mrTd: new Uint8Array(48).fill(1) }));
    await check('tcb-status-refused', makeTdxQuote(pki, { reportData }), makeTdxCollateral(pki, now, 'OutOfDate'));
    await check('tcb-status-refused', makeTdxQuote(pki, { reportData, teeTcbSvn: new Uint8Array(16).fill(0) }));
    await check('report-data-mismatch', makeTdxQuote(pki, { reportData: reportDataBinding(Buffer.alloc(32, 9), keyHash) }));
    await check('cert-revoked', makeTdxQuote(revoked, { reportData }), makeTdxCollateral(revoked, now), revoked);
    await check('collateral-expired', makeTdxQuote(pki, { reportData }), makeTdxCollateral(pki, new Date(now.getTime() - 40 * 86_400_000)));
    await check('root-untrusted', makeTdxQuote(revoked, { reportData }), makeTdxCollateral(revoked, now));
  });
});
