import { createHash } from 'node:crypto';
import { ComputeError } from '../compute-error.ts';
import { Refusal, type AttestationClaims, type TeeKind, type VerifyContext, type VerifyResult } from './attestation-result.ts';
import type { NonceStore } from './nonce-store.ts';

export function evidenceHashOf(...parts: readonly Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return `sha256:${h.digest('hex')}`;
}

/**
 * Runs the checks of one verification and turns every refusal and every malformed structure
 * into a `{ ok: false }` value, so that a verifier fails closed and never throws for bad evidence.
 * Misuse is refused with `TypeError` by the caller before this runs. The nonce is spent last, only for otherwise valid evidence.
 */
export async function runVerification(
  tee: TeeKind,
  evidenceHash: string,
  context: VerifyContext,
  nonceStore: NonceStore | undefined,
  checks: () => Omit<AttestationClaims, 'evidenceHash' | 'tee' | 'nonce' | 'keyHash'>,
): Promise<VerifyResult> {
  try {
    const claims = checks();
    if (nonceStore !== undefined) {
      const use = await nonceStore.consume(context.expectedNonce, context.now);
      if (use !== 'fresh') return { ok: false, reason: `nonce-${use}`, detail: `nonce is ${use}`, evidenceHash, tee };
    }
    return {
      ok: true,
      claims: Object.freeze({
        ...claims,
        tee,
        evidenceHash,
        nonce: Buffer.from(context.expectedNonce).toString('hex'),
        keyHash: Buffer.from(context.expectedKeyHash).toString('hex'),
      }),
    };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, detail: error.detail, evidenceHash, tee };
    if (error instanceof ComputeError) return { ok: false, reason: 'evidence-malformed', detail: error.describe(), evidenceHash, tee };
    // Anything else (a RangeError from a view, a crypto error) is still a refusal: fail closed.
    // Misuse is checked before the checks run, so no TypeError here is the caller's.
    return { ok: false, reason: 'evidence-malformed', detail: 'evidence could not be processed', evidenceHash, tee };
  }
}
