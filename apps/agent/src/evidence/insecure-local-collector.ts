import { InsecureLocalAttestor, type WireEvidence } from '@phiguard/compute';
import type { EvidenceCollector } from './evidence-collector.ts';

/**
 * Evidence from a machine **without a TEE**: it only echoes the binding, so the control plane can
 * check freshness and key binding but nothing protects data in use from the host. The control
 * plane's policy refuses PHI for it unless its operator set the development flag.
 */
export class InsecureLocalCollector implements EvidenceCollector {
  readonly kind = 'insecure-local';

  available(): Promise<boolean> {
    return Promise.resolve(true);
  }

  collect(nonce: Uint8Array, keyHash: Uint8Array): Promise<WireEvidence> {
    const evidence = InsecureLocalAttestor.evidence(nonce, keyHash);
    return Promise.resolve({ kind: 'insecure-local', reportData: Buffer.from(evidence.reportData).toString('base64') });
  }
}
