import type { WireEvidence } from '@phiguard/compute';

/**
 * Produces NVIDIA GPU evidence on the node for one job, beside the CPU TEE's (never instead of
 * it): an SPDM GET_MEASUREMENTS report whose 32-byte request nonce is `gpuNonce(nonce, keyHash)`
 * = SHA-256(nonce ‖ keyHash), plus the GPU's device certificate chain, in the wire form the control
 * plane's GPU router decodes: `{kind: 'nvidia-gpu', report: base64, certChain: PEM}`
 * (docs/compute/agent.md "GPU evidence"). The agent asks for it when a job's spec has `gpu.count > 0`.
 */
export interface GpuEvidenceCollector {
  /** The collector (`nvidia-cc`, `file`); the evidence kind it produces is always `nvidia-gpu`. */
  readonly kind: string;
  /** True when this collector can run on this machine (driver tooling or files present). */
  available(): Promise<boolean>;
  collect(nonce: Uint8Array, keyHash: Uint8Array): Promise<WireEvidence>;
}
