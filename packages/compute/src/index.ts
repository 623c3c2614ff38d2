export { COMPUTE_ERROR_CODES, ComputeError, type ComputeErrorCode } from './compute-error.ts';
export {
  REFUSAL_REASONS,
  TEE_KINDS,
  type AttestationClaims,
  type EvidenceVerifier,
  type RefusalReason,
  type TeeKind,
  type VerifyContext,
  type VerifyResult,
} from './attestation/attestation-result.ts';
export { MemoryNonceStore, type NonceStore, type NonceUse } from './attestation/nonce-store.ts';
export { reportDataBinding } from './attestation/report-data-binding.ts';
export { parseCertificate, pemBlocks, type Certificate, type SignatureAlgorithm } from './attestation/x509/certificate.ts';
export { parseCrl, type Crl } from './attestation/x509/crl.ts';
export { verifyChain, type ChainOptions, type CrlRequirement } from './attestation/x509/verify-chain.ts';
export { AMD_ARK_FINGERPRINTS } from './attestation/sev-snp/amd-roots.ts';
export { parseSnpReport, SNP_REPORT_SIZE, type SnpProduct, type SnpReport, type SnpTcb } from './attestation/sev-snp/snp-report.ts';
export { vcekExtensions, type VcekExtensions } from './attestation/sev-snp/vcek-extensions.ts';
export { SnpVerifier, verifySnpReportSignature, type SnpEvidence, type SnpMinimumTcb, type SnpPolicy } from './attestation/sev-snp/snp-verifier.ts';
