export { COMPUTE_ERROR_CODES, ComputeError, type ComputeErrorCode } from './compute-error.ts';
export {
  REFUSAL_REASONS,
  TEE_KINDS,
  type AttestationClaims,
  type Attestor,
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
export {
  SnpVerifier,
  verifySnpReportSignature,
  type SnpEvidence,
  type SnpMinimumTcb,
  type SnpPolicy,
} from './attestation/sev-snp/snp-verifier.ts';
export { INTEL_SGX_ROOT_FINGERPRINTS } from './attestation/tdx/intel-roots.ts';
export { parseQeReport, parseTdxQuote, type QeReportBody, type TdxQuote } from './attestation/tdx/tdx-quote.ts';
export { pckExtensions, type PckExtensions } from './attestation/tdx/pck-extensions.ts';
export {
  qeIdentityStatus,
  splitPcsBody,
  tdxTcbStatus,
  verifySignedJson,
  type TdxCollateral,
  type TdxTcbInput,
} from './attestation/tdx/tdx-collateral.ts';
export { appraiseTdxQuote, TdxVerifier, type TdxAppraisal, type TdxEvidence, type TdxPolicy } from './attestation/tdx/tdx-verifier.ts';
export {
  allowsPhi,
  InsecureLocalAttestor,
  type AllowsPhiOptions,
  type InsecureLocalEvidence,
  type PhiDecision,
} from './attestation/insecure-local.ts';
export { summarizeForAudit } from './attestation/summarize-for-audit.ts';
export { NV_OPAQUE, parseSpdmReport, type SpdmReport } from './attestation/nvidia/spdm-measurements.ts';
export { parseRim, rimMismatches, type Rim, type RimMeasurement } from './attestation/nvidia/rim.ts';
export { NVIDIA_DEVICE_ROOT_FINGERPRINTS } from './attestation/nvidia/nvidia-roots.ts';
export {
  appraiseGpuReport,
  gpuNonce,
  GpuVerifier,
  type GpuAppraisal,
  type GpuEvidence,
  type GpuPolicy,
} from './attestation/nvidia/gpu-verifier.ts';
export { NrasTokenVerifier, type NrasEvidence, type NrasPolicy } from './attestation/nvidia/nras-token-verifier.ts';
// Placement and key release (compute-core).
export {
  ComputePolicy,
  DEFAULT_COMPUTE_POLICY_DIR,
  readComputePolicies,
  type ComputeDecision,
  type ComputePolicySource,
  type JobFacts,
  type NodeFacts,
  type ReleaseFacts,
} from './placement/compute-policy.ts';
export { nodeKeyHash, releaseAad, releaseCipherSuite, releaseInfo, RELEASE_SUITE, X25519_PUBLIC_KEY_BYTES } from './release/release-suite.ts';
export { generateNodeKeyPair, type NodeKeyPair } from './release/node-key.ts';
export { openSealedKeys, sealKeys, type DataKey, type SealedKeys } from './release/sealed-keys.ts';
export { KeyReleaser, type KeyReleaserOptions, type ReleaseOutcome, type ReleaseRefusal, type ReleaseRequest } from './release/key-releaser.ts';
export {
  BAA_STATUSES,
  CONTACT_ROLES,
  CPU_TEE_KINDS,
  GPU_CC_KINDS,
  type Baa,
  type BaaStatus,
  type ComputeNode,
  type ContactRole,
  type CpuTeeKind,
  type GpuCcKind,
  type GpuSpec,
  type NewNode,
  type NewProvider,
  type NodeAttestation,
  type Provider,
  type ProviderContact,
} from './providers/catalog-types.ts';
export { baaInForce } from './providers/baa.ts';
export { DEFAULT_PRICE_LIST, nodePricePerHour } from './providers/price-list.ts';
export type { ComputeCatalog } from './providers/compute-catalog.ts';
export { SqlComputeCatalog } from './providers/sql-compute-catalog.ts';
export { openComputeDatabase, type ComputeDatabaseOptions } from './providers/compute-database.ts';
export { validateNewNode, validateNewProvider } from './providers/validate-catalog-input.ts';
export { jobFactsFromSpec, type JobSpec } from './placement/job-spec.ts';
export { nodeFacts, planPlacement, type PlacementCandidate, type PlacementPlan, type PlanOptions } from './placement/plan-placement.ts';
export { Placer, type PlacerOptions } from './placement/placer.ts';
export {
  FINAL_STATES,
  JOB_STATES,
  type CancelResult,
  type CompleteResult,
  type FailResult,
  type HeartbeatResult,
  type JobLease,
  type JobState,
  type QueuedJob,
  type SweepReport,
} from './queue/queued-job.ts';
export { SqlJobQueue, type SubmitInput } from './queue/sql-job-queue.ts';
export { SqlNonceStore } from './release/sql-nonce-store.ts';
// Job dispatch to GPU node agents (issue 8).
export { ReleasedKeyProvider, wrappedKeyId } from './release/released-key-provider.ts';
export { UPLOAD_PROVIDER_ID, UploadKeyProvider } from './release/upload-key-provider.ts';
export { AgentStore, type StoredLogChunk } from './dispatch/agent-store.ts';
export { EvidenceRouter, wireBytes, type WireEvidence } from './dispatch/evidence-router.ts';
export { AMD_ARK_BY_PRODUCT, configuredEvidenceRouter, configuredGpuEvidenceRouter, type ConfiguredRouterOptions } from './dispatch/configured-evidence-router.ts';
export { buildSnpCertTable, parseSnpCertTable, type SnpCertTable } from './dispatch/snp-cert-table.ts';
export { REDACTED, redactLog } from './dispatch/log-redactor.ts';
export { parseRunSpec, runJobFacts, type RunSpec } from './dispatch/run-spec.ts';
export { AGENT_STEPS, JobDispatcher, type AgentCaller, type AgentStep, type DispatchRelease, type JobDispatcherOptions, type ReleasedInput } from './dispatch/job-dispatcher.ts';
