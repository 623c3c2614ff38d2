import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { checkContext, refuse, type EvidenceVerifier, type VerifyContext, type VerifyResult } from '../attestation-result.ts';
import type { NonceStore } from '../nonce-store.ts';
import { evidenceHashOf, runVerification } from '../run-verification.ts';
import { gpuNonce } from './gpu-verifier.ts';

/** A token (JWT, EAT per RFC 9711) from NVIDIA's Remote Attestation Service for one GPU or the overall result. */
export interface NrasEvidence {
  readonly token: string;
}

export interface NrasPolicy {
  /** NVIDIA's published signing keys (`/.well-known/jwks.json`), fetched by the caller over TLS. */
  readonly jwks: JSONWebKeySet;
  /** Expected `iss`, e.g. `https://nras.attestation.nvidia.com`. */
  readonly issuer: string;
  /** Accepted algorithms; default ES384 (what NRAS signs with). */
  readonly algorithms?: readonly string[];
}

/**
 * Verifies an NRAS token: signature against the given JWKS, `iss`, `exp`/`nbf`/`iat` at the
 * injected time (RFC 7519 §4.1), `x-nvidia-overall-att-result` true, and `eat_nonce` equal to the
 * hex of {@link gpuNonce}(nonce, keyHash). The per-GPU detached submodule tokens are not checked.
 */
export class NrasTokenVerifier implements EvidenceVerifier<NrasEvidence, NrasPolicy> {
  readonly tee = 'nvidia-gpu' as const;
  readonly #nonceStore: NonceStore | undefined;

  constructor(options: { readonly nonceStore?: NonceStore } = {}) {
    this.#nonceStore = options.nonceStore;
  }

  async verify(evidence: NrasEvidence, policy: NrasPolicy, context: VerifyContext): Promise<VerifyResult> {
    checkContext(context);
    if (typeof evidence.token !== 'string') throw new TypeError('evidence.token must be a string');
    const hash = evidenceHashOf(Buffer.from(evidence.token, 'utf8'));
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(evidence.token, createLocalJWKSet(policy.jwks), {
        issuer: policy.issuer,
        currentDate: context.now,
        algorithms: [...(policy.algorithms ?? ['ES384'])],
      });
      payload = verified.payload;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const detail = typeof code === 'string' ? `token refused (${code})` : 'token refused';
      return { ok: false, reason: 'token-invalid', detail, evidenceHash: hash, tee: this.tee };
    }
    return runVerification(this.tee, hash, context, this.#nonceStore, () => {
      if (payload['x-nvidia-overall-att-result'] !== true) refuse('token-invalid', 'overall attestation result is not true');
      const expected = Buffer.from(gpuNonce(context.expectedNonce, context.expectedKeyHash)).toString('hex');
      if (typeof payload.eat_nonce !== 'string' || payload.eat_nonce.toLowerCase() !== expected)
        refuse('nonce-mismatch', 'eat_nonce is not the expected nonce');
      return { measurement: 'nras', debug: false, tcb: {} };
    });
  }
}
