import {
  checkContext,
  refuse,
  type AttestationClaims,
  type EvidenceVerifier,
  type VerifyContext,
  type VerifyResult,
} from './attestation-result.ts';
import type { NonceStore } from './nonce-store.ts';
import { reportDataBinding, sameBytes } from './report-data-binding.ts';
import { evidenceHashOf, runVerification } from './run-verification.ts';

/**
 * Evidence from a laptop or lab GPU **without any TEE**: the node only echoes
 * SHA-512(nonce ‖ keyHash), so freshness and key binding are checked but nothing protects data in
 * use from the host. Its claims say `tee: 'none'`; {@link allowsPhi} refuses PHI for them unless
 * an explicit, loudly logged development flag is set.
 */
export interface InsecureLocalEvidence {
  readonly kind: 'insecure-local';
  readonly reportData: Uint8Array;
}

/** The `insecure-local` attestor. Never use it for production nodes. */
export class InsecureLocalAttestor implements EvidenceVerifier<InsecureLocalEvidence, Record<string, never>> {
  readonly tee = 'none' as const;
  readonly #nonceStore: NonceStore | undefined;

  constructor(options: { readonly nonceStore?: NonceStore } = {}) {
    this.#nonceStore = options.nonceStore;
  }

  /** Produces the evidence a node without a TEE sends. */
  static evidence(nonce: Uint8Array, keyHash: Uint8Array): InsecureLocalEvidence {
    return { kind: 'insecure-local', reportData: reportDataBinding(nonce, keyHash) };
  }

  verify(evidence: InsecureLocalEvidence, _policy: Record<string, never>, context: VerifyContext): Promise<VerifyResult> {
    checkContext(context);
    if ((evidence.kind as string) !== 'insecure-local' || !(evidence.reportData instanceof Uint8Array))
      throw new TypeError('evidence must be insecure-local evidence with reportData bytes');
    return runVerification(this.tee, evidenceHashOf(evidence.reportData), context, this.#nonceStore, () => {
      if (!sameBytes(evidence.reportData, reportDataBinding(context.expectedNonce, context.expectedKeyHash)))
        refuse('report-data-mismatch', 'report data is not SHA-512(nonce ‖ keyHash)');
      // No TEE: nothing is measured and the host can read (and debug) everything.
      return { measurement: 'none', debug: true, tcb: {} };
    });
  }
}

export interface AllowsPhiOptions {
  /** Development only: let PHI go to a node without a TEE. Every such decision is logged with `warn`. */
  readonly devInsecureLocal?: boolean;
  /** Required when `devInsecureLocal` is set (pino's `logger.warn` fits). */
  readonly warn?: (message: string) => void;
}

export type PhiDecision =
  { readonly allowed: true; readonly insecure: boolean } | { readonly allowed: false; readonly reason: 'no-tee' | 'debug-enabled' };

/**
 * May data with PHI be released to a node with these verified claims? Only to a verified TEE with
 * debugging off; a `tee: 'none'` node only with `devInsecureLocal`, and then a warning is logged
 * every time (HIPAA §164.312(a)(2)(iv): encryption in use is the safeguard being waived).
 */
export function allowsPhi(claims: AttestationClaims, options: AllowsPhiOptions = {}): PhiDecision {
  if (options.devInsecureLocal === true && typeof options.warn !== 'function') throw new TypeError('devInsecureLocal needs a warn logger');
  if (claims.tee === 'none') {
    if (options.devInsecureLocal !== true) return { allowed: false, reason: 'no-tee' };
    options.warn?.(
      'INSECURE: releasing PHI keys to a node without a TEE (insecure-local, devInsecureLocal flag set); never do this in production',
    );
    return { allowed: true, insecure: true };
  }
  if (claims.debug) return { allowed: false, reason: 'debug-enabled' };
  return { allowed: true, insecure: false };
}
