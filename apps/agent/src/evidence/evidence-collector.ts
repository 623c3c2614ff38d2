import type { WireEvidence } from '@phiguard/compute';

/**
 * Produces attestation evidence on the node for one job: the TEE's report with REPORT_DATA =
 * SHA-512(nonce ‖ keyHash) (see `reportDataBinding`), in the wire form the control plane's
 * `EvidenceRouter` decodes. One implementation per kind of hardware.
 */
export interface EvidenceCollector {
  /** The evidence kind (`insecure-local`, `sev-snp`, `tdx`). */
  readonly kind: string;
  /** True when this collector can run on this machine (device present). */
  available(): Promise<boolean>;
  collect(nonce: Uint8Array, keyHash: Uint8Array): Promise<WireEvidence>;
}
