import { verify } from 'node:crypto';
import { allowList, checkContext, refuse, type EvidenceVerifier, type VerifyContext, type VerifyResult } from '../attestation-result.ts';
import type { NonceStore } from '../nonce-store.ts';
import { reportDataBinding, sameBytes } from '../report-data-binding.ts';
import { evidenceHashOf, runVerification } from '../run-verification.ts';
import { parseCertificate, pemBlocks, type Certificate } from '../x509/certificate.ts';
import { parseCrl } from '../x509/crl.ts';
import { verifyChain, type CrlRequirement } from '../x509/verify-chain.ts';
import { AMD_ARK_FINGERPRINTS } from './amd-roots.ts';
import { parseSnpReport, type SnpReport, type SnpTcb } from './snp-report.ts';
import { vcekExtensions } from './vcek-extensions.ts';

/** What a node presents for SEV-SNP: the raw report, its VCEK/VLEK, the ASK(or ASVK)+ARK bundle, and AMD CRLs. */
export interface SnpEvidence {
  readonly report: Uint8Array;
  /** VCEK or VLEK, DER or PEM. */
  readonly vcek: Uint8Array | string;
  /** KDS `cert_chain`: ASK (or ASVK) then ARK, PEM. */
  readonly certChain: string;
  /** AMD KDS CRLs (DER or PEM), e.g. `/vcek/v1/Milan/crl`. */
  readonly crls?: readonly (Uint8Array | string)[];
}

/** Minimum security patch levels (AMD SEV-SNP ABI spec Table 3 TCB_VERSION). */
export interface SnpMinimumTcb {
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
  /** Turin only. */
  readonly fmc?: number;
}

export interface SnpPolicy {
  /** Launch MEASUREMENTs (96 hex characters) allowed to receive keys. */
  readonly allowedMeasurements: readonly string[];
  readonly minimumTcb: SnpMinimumTcb;
  /** Highest VMPL accepted (0 is the most privileged level). Default 0. */
  readonly maxVmpl?: number;
  /** Default: the AMD ARKs (Milan, Genoa, Turin). Tests pass their own. */
  readonly trustedRoots?: ReadonlySet<string>;
  /** Default `root`: a current ARK-signed CRL must be given. */
  readonly requireCrls?: CrlRequirement;
  /** Default both. */
  readonly signingKeys?: readonly ('vcek' | 'vlek')[];
}

const TCB_FIELDS = ['bootloader', 'tee', 'snp', 'microcode'] as const;

function tcbNumbers(tcb: SnpTcb): Record<string, number> {
  const out: Record<string, number> = { bootloader: tcb.bootloader, tee: tcb.tee, snp: tcb.snp, microcode: tcb.microcode };
  if (tcb.fmc !== undefined) out.fmc = tcb.fmc;
  return out;
}

/** ECDSA P-384/SHA-384 over bytes 0x000..0x29F (ABI spec §7.3, Table 23; signature format Table 139). */
export function verifySnpReportSignature(report: SnpReport, vcek: Certificate): boolean {
  try {
    const key = vcek.publicKey;
    if (key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return false;
    const sig = Buffer.concat([report.signatureR, report.signatureS]);
    return verify('sha384', report.signedBytes, { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

/** Checks the VCEK's AMD extensions against the report (KDS spec §3.1): hwID = CHIP_ID, SPLs = REPORTED_TCB. */
function checkVcekMatches(report: SnpReport, vcek: Certificate, signingKey: 'vcek' | 'vlek'): void {
  const ext = vcekExtensions(vcek);
  for (const field of TCB_FIELDS) {
    if (ext[field] !== report.reportedTcb[field]) refuse('cert-mismatch', `certificate ${field} SPL differs from the reported TCB`);
  }
  if (report.product === 'turin' && ext.fmc !== report.reportedTcb.fmc)
    refuse('cert-mismatch', 'certificate fmc SPL differs from the reported TCB');
  if (signingKey === 'vcek') {
    // Turin hwIDs are 8 bytes: the first 8 bytes of CHIP_ID.
    const hwId = ext.hwId;
    if (hwId === undefined) refuse('cert-mismatch', 'VCEK has no hwID');
    const chip = report.chipId.subarray(0, hwId.length);
    if ((hwId.length !== 64 && hwId.length !== 8) || !sameBytes(hwId, chip))
      refuse('cert-mismatch', 'VCEK hwID differs from the report CHIP_ID');
  }
}

/**
 * AMD SEV-SNP evidence verifier. Checks, in order: report layout; VCEK/VLEK ← ASK ← ARK chain
 * (RSASSA-PSS, pinned ARK, validity, CRL); report signature; VCEK extensions vs report; debug
 * policy bit; VMPL; minimum reported TCB; measurement allow-list; REPORT_DATA binding; nonce freshness.
 */
export class SnpVerifier implements EvidenceVerifier<SnpEvidence, SnpPolicy> {
  readonly tee = 'sev-snp' as const;
  readonly #nonceStore: NonceStore | undefined;

  constructor(options: { readonly nonceStore?: NonceStore } = {}) {
    this.#nonceStore = options.nonceStore;
  }

  verify(evidence: SnpEvidence, policy: SnpPolicy, context: VerifyContext): Promise<VerifyResult> {
    checkContext(context);
    if (!(evidence.report instanceof Uint8Array)) throw new TypeError('evidence.report must be bytes');
    const allowed = allowList(policy.allowedMeasurements, 'policy.allowedMeasurements');
    return runVerification(this.tee, evidenceHashOf(evidence.report), context, this.#nonceStore, () => {
      const report = parseSnpReport(evidence.report);
      const signingKey =
        report.signingKey === 0
          ? 'vcek'
          : report.signingKey === 1
            ? 'vlek'
            : refuse('unsupported-evidence', 'report is not signed by a VCEK or VLEK');
      if (!(policy.signingKeys ?? ['vcek', 'vlek']).includes(signingKey))
        refuse('policy-violation', `${signingKey} signatures are not accepted`);
      if (report.signatureAlgo !== 1) refuse('unsupported-evidence', 'signature algorithm is not ECDSA P-384 with SHA-384');
      const vcek = parseCertificate(evidence.vcek);
      const chain = [vcek, ...pemBlocks(evidence.certChain).map((der) => parseCertificate(der))];
      verifyChain(chain, {
        now: context.now,
        trustedRoots: policy.trustedRoots ?? AMD_ARK_FINGERPRINTS,
        crls: (evidence.crls ?? []).map((c) => parseCrl(c)),
        requireCrls: policy.requireCrls ?? 'root',
      });
      if (!verifySnpReportSignature(report, vcek)) refuse('signature-invalid', 'report signature does not verify with the VCEK');
      checkVcekMatches(report, vcek, signingKey);
      // GUEST_POLICY bit 19 DEBUG (ABI spec Table 9): a debuggable guest's memory can be read by the host.
      if (report.debugAllowed) refuse('debug-enabled', 'guest policy allows debugging');
      if (report.vmpl > (policy.maxVmpl ?? 0)) refuse('policy-violation', 'report VMPL is above the policy maximum');
      const min = policy.minimumTcb;
      for (const field of TCB_FIELDS) {
        if (report.reportedTcb[field] < min[field]) refuse('tcb-too-old', `reported ${field} SPL is below the policy minimum`);
      }
      if (report.product === 'turin' && (report.reportedTcb.fmc ?? 0) < (min.fmc ?? 0))
        refuse('tcb-too-old', 'reported fmc SPL is below the policy minimum');
      const measurement = Buffer.from(report.measurement).toString('hex');
      if (!allowed.has(measurement)) refuse('measurement-not-allowed', 'launch measurement is not in the allow-list');
      if (!sameBytes(report.reportData, reportDataBinding(context.expectedNonce, context.expectedKeyHash))) {
        refuse('report-data-mismatch', 'REPORT_DATA is not SHA-512(nonce ‖ keyHash)');
      }
      return { measurement, debug: report.debugAllowed, tcb: tcbNumbers(report.reportedTcb) };
    });
  }
}
