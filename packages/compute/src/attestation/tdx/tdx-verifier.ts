import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { allowList, checkContext, refuse, type EvidenceVerifier, type VerifyContext, type VerifyResult } from '../attestation-result.ts';
import type { NonceStore } from '../nonce-store.ts';
import { reportDataBinding, sameBytes } from '../report-data-binding.ts';
import { evidenceHashOf, runVerification } from '../run-verification.ts';
import { parseCertificate, pemBlocks, type Certificate } from '../x509/certificate.ts';
import { parseCrl, type Crl } from '../x509/crl.ts';
import { readTlv } from '../x509/der.ts';
import { verifyChain, type CrlRequirement } from '../x509/verify-chain.ts';
import { INTEL_SGX_ROOT_FINGERPRINTS } from './intel-roots.ts';
import { pckExtensions } from './pck-extensions.ts';
import { qeIdentityStatus, tdxTcbStatus, verifySignedJson, type TdxCollateral } from './tdx-collateral.ts';
import { parseQeReport, parseTdxQuote, type TdxQuote } from './tdx-quote.ts';

export interface TdxEvidence {
  readonly quote: Uint8Array;
  readonly collateral: TdxCollateral;
}

export interface TdxPolicy {
  /** MRTD values (96 hex characters) allowed. */
  readonly allowedMrTd: readonly string[];
  /** Per RTMR index, the allowed values; an index left out is not checked. */
  readonly allowedRtmrs?: Readonly<Partial<Record<0 | 1 | 2 | 3, readonly string[]>>>;
  /** TCB statuses accepted (tcbInfo and QE identity). Default `['UpToDate']`. */
  readonly acceptedTcbStatuses?: readonly string[];
  /** Default: Intel SGX Root CA. */
  readonly trustedRoots?: ReadonlySet<string>;
  /** Default `every-ca`: the root CA CRL and the PCK CRL. */
  readonly requireCrls?: CrlRequirement;
  /** Default true: the QE identity collateral must be given and match. */
  readonly requireQeIdentity?: boolean;
}

/** What the structural checks (everything except the REPORTDATA binding and nonce) established. */
export interface TdxAppraisal {
  readonly quote: TdxQuote;
  readonly tcbStatus: string;
  readonly qeStatus: string | undefined;
  readonly fmspc: string;
}

function p256Key(xy: Uint8Array): KeyObject {
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(xy.subarray(0, 32)), y: b64(xy.subarray(32, 64)) }, format: 'jwk' });
}

function p1363(data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  try {
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** The PCK chain of certification data type 5: PEM text or, in Intel's QVL samples, concatenated DER. */
export function pckCertificates(raw: Uint8Array): Certificate[] {
  const text = Buffer.from(raw).toString('latin1').replace(/\0+$/, '');
  if (text.includes('-----BEGIN')) return pemBlocks(text).map((d) => parseCertificate(d));
  const out: Certificate[] = [];
  for (let pos = 0; pos < raw.length && raw[pos] !== 0;) {
    const tlv = readTlv(raw, pos);
    out.push(parseCertificate(raw.subarray(pos, tlv.end)));
    pos = tlv.end;
  }
  return out;
}

function signerChain(pem: string | undefined, what: string): Certificate[] {
  if (pem === undefined) return refuse('collateral-invalid', `${what} issuer chain is missing`);
  return pemBlocks(pem).map((d) => parseCertificate(d));
}

/**
 * Everything but the binding: quote layout, attestation-key signature over header ‖ body, QE
 * report signature by the PCK leaf, QE binding (SHA-256(attestation key ‖ QE auth data) =
 * QE REPORTDATA[0..32), rest zero), PCK chain to the pinned Intel root with CRLs, tcbInfo and QE
 * identity signatures (TCB Signing chain) and windows, TCB status, debug bit, MRTD/RTMR allow-lists.
 */
export function appraiseTdxQuote(evidence: TdxEvidence, policy: TdxPolicy, now: Date): TdxAppraisal {
  const quote = parseTdxQuote(evidence.quote);
  const roots = policy.trustedRoots ?? INTEL_SGX_ROOT_FINGERPRINTS;
  const crls: Crl[] = evidence.collateral.crls.map((c) => parseCrl(c));
  const requireCrls = policy.requireCrls ?? 'every-ca';
  if (!p1363(quote.signedBytes, quote.signature, p256Key(quote.attestationKey)))
    refuse('signature-invalid', 'quote signature does not verify with the attestation key');
  const pck = pckCertificates(quote.pckChain);
  verifyChain(pck, { now, trustedRoots: roots, crls, requireCrls });
  const leaf = pck[0] as Certificate;
  if (!p1363(quote.qeReport, quote.qeReportSignature, leaf.publicKey))
    refuse('signature-invalid', 'QE report signature does not verify with the PCK certificate');
  const qe = parseQeReport(quote.qeReport);
  const binding = createHash('sha256').update(quote.attestationKey).update(quote.qeAuthData).digest();
  if (!sameBytes(qe.reportData.subarray(0, 32), binding) || qe.reportData.subarray(32).some((b) => b !== 0)) {
    refuse('signature-invalid', 'QE report does not bind the attestation key');
  }
  const ext = pckExtensions(leaf);
  // tcbInfo: signed by the Intel SGX TCB Signing certificate, which chains to the same root (root CRL applies).
  const tcbSigners = signerChain(evidence.collateral.tcbInfoIssuerChain, 'tcbInfo');
  verifyChain(tcbSigners, { now, trustedRoots: roots, crls, requireCrls: requireCrls === 'none' ? 'none' : 'root' });
  if (!verifySignedJson(evidence.collateral.tcbInfo, evidence.collateral.tcbInfoSignature, tcbSigners[0] as Certificate))
    refuse('collateral-invalid', 'tcbInfo signature does not verify');
  const tcbStatus = tdxTcbStatus(
    evidence.collateral.tcbInfo,
    { ...ext, teeTcbSvn: quote.teeTcbSvn, mrSignerSeam: quote.mrSignerSeam, seamAttributes: quote.seamAttributes },
    now,
  );
  let qeStatus: string | undefined;
  const { qeIdentity, qeIdentitySignature } = evidence.collateral;
  if (qeIdentity !== undefined && qeIdentitySignature !== undefined) {
    const signers = signerChain(evidence.collateral.qeIdentityIssuerChain, 'qeIdentity');
    verifyChain(signers, { now, trustedRoots: roots, crls, requireCrls: requireCrls === 'none' ? 'none' : 'root' });
    if (!verifySignedJson(qeIdentity, qeIdentitySignature, signers[0] as Certificate))
      refuse('collateral-invalid', 'qeIdentity signature does not verify');
    qeStatus = qeIdentityStatus(qeIdentity, qe, now);
  } else if (policy.requireQeIdentity ?? true) {
    refuse('collateral-invalid', 'QE identity collateral is missing');
  }
  const accepted = policy.acceptedTcbStatuses ?? ['UpToDate'];
  if (!accepted.includes(tcbStatus)) refuse('tcb-status-refused', `platform TCB status ${tcbStatus} is not accepted`);
  if (qeStatus !== undefined && !accepted.includes(qeStatus)) refuse('tcb-status-refused', `QE TCB status ${qeStatus} is not accepted`);
  // TD_ATTRIBUTES.TUD bit 0 DEBUG (TDX Module ABI, TDINFO_STRUCT): the host can read the TD.
  if (quote.debug) refuse('debug-enabled', 'TD attributes allow debugging');
  const mrtd = Buffer.from(quote.mrTd).toString('hex');
  if (!allowList(policy.allowedMrTd, 'policy.allowedMrTd').has(mrtd)) refuse('measurement-not-allowed', 'MRTD is not in the allow-list');
  for (const index of [0, 1, 2, 3] as const) {
    const allowed = policy.allowedRtmrs?.[index];
    if (
      allowed !== undefined &&
      !allowList(allowed, `policy.allowedRtmrs[${String(index)}]`).has(Buffer.from(quote.rtmrs[index]).toString('hex'))
    ) {
      refuse('measurement-not-allowed', `RTMR${String(index)} is not in the allow-list`);
    }
  }
  return { quote, tcbStatus, qeStatus, fmspc: ext.fmspc };
}

/** Intel TDX evidence verifier: {@link appraiseTdxQuote}, then REPORTDATA = SHA-512(nonce ‖ keyHash) and nonce freshness. */
export class TdxVerifier implements EvidenceVerifier<TdxEvidence, TdxPolicy> {
  readonly tee = 'tdx' as const;
  readonly #nonceStore: NonceStore | undefined;

  constructor(options: { readonly nonceStore?: NonceStore } = {}) {
    this.#nonceStore = options.nonceStore;
  }

  verify(evidence: TdxEvidence, policy: TdxPolicy, context: VerifyContext): Promise<VerifyResult> {
    checkContext(context);
    if (!(evidence.quote instanceof Uint8Array)) throw new TypeError('evidence.quote must be bytes');
    allowList(policy.allowedMrTd, 'policy.allowedMrTd');
    return runVerification(this.tee, evidenceHashOf(evidence.quote), context, this.#nonceStore, () => {
      const { quote, tcbStatus } = appraiseTdxQuote(evidence, policy, context.now);
      if (!sameBytes(quote.reportData, reportDataBinding(context.expectedNonce, context.expectedKeyHash))) {
        refuse('report-data-mismatch', 'REPORTDATA is not SHA-512(nonce ‖ keyHash)');
      }
      const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
      return {
        measurement: hex(quote.mrTd),
        debug: quote.debug,
        tcb: Object.fromEntries(
          [...quote.teeTcbSvn].map((svn, i) => [`teeTcbSvn${String(i)}`, svn]).filter(([, svn]) => svn !== 0),
        ) as Record<string, number>,
        tcbStatus,
        registers: { rtmr0: hex(quote.rtmrs[0]), rtmr1: hex(quote.rtmrs[1]), rtmr2: hex(quote.rtmrs[2]), rtmr3: hex(quote.rtmrs[3]) },
      };
    });
  }
}
