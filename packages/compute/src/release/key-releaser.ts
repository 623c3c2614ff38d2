import { createHash } from 'node:crypto';
import { isReferenceToken, type AuditDetails, type AuditRecorder, type AuditResource } from '@phiguard/audit';
import type { Clock } from '@phiguard/core';
import type { EvidenceVerifier, RefusalReason, VerifyResult } from '../attestation/attestation-result.ts';
import type { NonceStore } from '../attestation/nonce-store.ts';
import { summarizeForAudit } from '../attestation/summarize-for-audit.ts';
import type { ComputePolicy, JobFacts } from '../placement/compute-policy.ts';
import type { ComputeCatalog } from '../providers/compute-catalog.ts';
import { nodeKeyHash, X25519_PUBLIC_KEY_BYTES } from './release-suite.ts';
import { sealKeys, type DataKey, type SealedKeys } from './sealed-keys.ts';

/** Why a release was refused: an attestation refusal, or one of the release's own checks. */
export type ReleaseRefusal = RefusalReason | 'gpu-evidence-missing' | 'policy-denied';

export type ReleaseOutcome =
  | { readonly ok: true; readonly sealed: SealedKeys; readonly evidenceHash: string; readonly policyIds: readonly string[] }
  | { readonly ok: false; readonly reason: ReleaseRefusal; readonly evidenceHash: string; readonly policyIds: readonly string[] };

/** What a node presents to get a job's keys: fresh evidence binding the nonce and its ephemeral key. */
export interface ReleaseRequest<E, G = never> {
  readonly job: JobFacts;
  /** The node's PHIGuard id (`node_…`). */
  readonly nodeId: string;
  /** Is the node's provider's BAA in force now (see `baaInForce`)? Required for PHI. */
  readonly baaValid: boolean;
  /** The nonce the node got from {@link KeyReleaser.challenge}. */
  readonly nonce: Uint8Array;
  /** The node's ephemeral X25519 public key (32 raw bytes); its SHA-256 must be in the evidence. */
  readonly publicKey: Uint8Array;
  readonly evidence: E;
  /** NVIDIA GPU evidence bound to the same nonce and key (GPU jobs with PHI). */
  readonly gpuEvidence?: G;
}

export interface KeyReleaserOptions<E, P, G, GP> {
  readonly verifier: EvidenceVerifier<E, P>;
  readonly verifierPolicy: P;
  readonly gpuVerifier?: EvidenceVerifier<G, GP>;
  readonly gpuVerifierPolicy?: GP;
  readonly policy: ComputePolicy;
  /** Issues and spends challenges. Verifiers given here must not have their own nonce store. */
  readonly nonces: NonceStore;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  /** Development only: PHI keys to an insecure-local node. Needs `warn`; every such release is logged. */
  readonly devInsecureLocal?: boolean;
  readonly warn?: (message: string) => void;
  /** When given, a release stores what the evidence showed as the node's attestation (placement reads it). */
  readonly catalog?: Pick<ComputeCatalog, 'recordAttestation'>;
}

const ACTOR = { kind: 'system', id: 'key-release' } as const;

/**
 * The control plane's key release (issue 8; ARCHITECTURE §1): verify evidence through the
 * verifier port, spend the nonce, ask the Cedar release policy, then seal the job's data keys to
 * the node's ephemeral key with HPKE (RFC 9180). Every release and every refusal is a
 * `key.release` ledger entry with the evidence hash and the policy that decided; a release is
 * returned only after its ledger entry is durable.
 */
export class KeyReleaser<E, P, G = never, GP = never> {
  readonly #o: KeyReleaserOptions<E, P, G, GP>;

  constructor(options: KeyReleaserOptions<E, P, G, GP>) {
    if (options.devInsecureLocal === true && typeof options.warn !== 'function')
      throw new TypeError('devInsecureLocal needs a warn logger');
    if ((options.gpuVerifier === undefined) !== (options.gpuVerifierPolicy === undefined))
      throw new TypeError('gpuVerifier and gpuVerifierPolicy go together');
    this.#o = options;
  }

  /** A fresh nonce for a node to bind into its evidence. */
  challenge(): Promise<Uint8Array> {
    return this.#o.nonces.issue(this.#o.clock.now());
  }

  async release(request: ReleaseRequest<E, G>, keys: readonly DataKey[]): Promise<ReleaseOutcome> {
    const { job, nodeId } = request;
    if (!(request.publicKey instanceof Uint8Array) || request.publicKey.length !== X25519_PUBLIC_KEY_BYTES)
      throw new TypeError('publicKey must be 32 raw X25519 bytes');
    if (!(request.nonce instanceof Uint8Array) || request.nonce.length < 16) throw new TypeError('nonce must be the challenge bytes');
    if (keys.length === 0) throw new TypeError('at least one data key is needed');
    const now = this.#o.clock.now();
    const keyHash = nodeKeyHash(request.publicKey);
    const context = { now, expectedNonce: request.nonce, expectedKeyHash: keyHash };

    const cpu = await this.#o.verifier.verify(request.evidence, this.#o.verifierPolicy, context);
    if (!cpu.ok) return this.#refuse(request, keys, cpu.reason, cpu, undefined, []);

    let gpu: VerifyResult | undefined;
    if (
      job.gpuCount > 0 &&
      this.#o.gpuVerifier !== undefined &&
      this.#o.gpuVerifierPolicy !== undefined &&
      request.gpuEvidence !== undefined
    ) {
      gpu = await this.#o.gpuVerifier.verify(request.gpuEvidence, this.#o.gpuVerifierPolicy, context);
      if (!gpu.ok) return this.#refuse(request, keys, gpu.reason, cpu, gpu, []);
    }

    // Spent last, only for otherwise valid evidence (as the verifiers do): a second use is a replay.
    const use = await this.#o.nonces.consume(request.nonce, now);
    if (use !== 'fresh') return this.#refuse(request, keys, `nonce-${use}`, cpu, gpu, []);

    // The GPU evidence was verified against the same nonce and key hash: it is bound to this CPU TEE's key.
    const gpuOk = gpu?.ok === true && gpu.claims.keyHash === cpu.claims.keyHash && gpu.claims.nonce === cpu.claims.nonce;
    const decision = this.#o.policy.release(nodeId, job, {
      attested: true,
      tee: cpu.claims.tee,
      debug: cpu.claims.debug,
      devInsecureLocal: this.#o.devInsecureLocal === true,
      gpuAttested: gpu?.ok === true,
      gpuBound: gpuOk,
      baaValid: request.baaValid,
    });
    if (!decision.allowed) {
      const reason: ReleaseRefusal =
        job.classification === 'phi' && job.gpuCount > 0 && request.gpuEvidence === undefined && cpu.claims.tee !== 'none'
          ? 'gpu-evidence-missing'
          : 'policy-denied';
      return this.#refuse(request, keys, reason, cpu, gpu, decision.policyIds);
    }
    const insecure = cpu.claims.tee === 'none';
    if (insecure && job.classification === 'phi')
      this.#o.warn?.('INSECURE: releasing PHI keys to a node without a TEE (devInsecureLocal); never do this in production');

    const sealed = await sealKeys({ jobId: job.id, evidenceHash: cpu.claims.evidenceHash, recipientPublicKey: request.publicKey, keys });
    await this.#o.audit.record({
      actor: ACTOR,
      action: 'key.release',
      outcome: 'success',
      resources: resources(job.id, nodeId, keys),
      details: this.#details(request, keyHash, cpu, gpu, decision.policyIds, { insecure }),
    });
    if (this.#o.catalog !== undefined) {
      const tee = cpu.claims.tee === 'sev-snp' || cpu.claims.tee === 'tdx' ? cpu.claims.tee : 'none';
      await this.#o.catalog.recordAttestation(nodeId, { cpuTee: tee, gpuCc: gpu?.ok === true, gpuBound: gpuOk, evidenceHash: cpu.claims.evidenceHash, verifiedMs: now.getTime() });
    }
    return Object.freeze({ ok: true, sealed, evidenceHash: cpu.claims.evidenceHash, policyIds: decision.policyIds });
  }

  async #refuse(
    request: ReleaseRequest<E, G>,
    keys: readonly DataKey[],
    reason: ReleaseRefusal,
    cpu: VerifyResult,
    gpu: VerifyResult | undefined,
    policyIds: readonly string[],
  ): Promise<ReleaseOutcome> {
    const evidenceHash = cpu.ok ? cpu.claims.evidenceHash : cpu.evidenceHash;
    await this.#o.audit.record({
      actor: ACTOR,
      action: 'key.release',
      outcome: 'denied',
      reason,
      resources: resources(request.job.id, request.nodeId, keys),
      details: this.#details(request, nodeKeyHash(request.publicKey), cpu, gpu, policyIds, {}),
    });
    return Object.freeze({ ok: false, reason, evidenceHash, policyIds });
  }

  #details(
    request: ReleaseRequest<E, G>,
    keyHash: Uint8Array,
    cpu: VerifyResult,
    gpu: VerifyResult | undefined,
    policyIds: readonly string[],
    extra: Record<string, boolean>,
  ): AuditDetails {
    const d: Record<string, string | number | boolean> = {
      ...summarizeForAudit(cpu),
      classification: request.job.classification,
      keyHash: `sha256:${Buffer.from(keyHash).toString('hex')}`,
      policyHash: this.#o.policy.hash,
      ...extra,
    };
    if (policyIds.length > 0) d.policy = policyIds.slice(0, 3).join('/').slice(0, 64);
    if (gpu !== undefined) {
      d.gpuEvidenceHash = gpu.ok ? gpu.claims.evidenceHash : gpu.evidenceHash;
      d.gpuAttestation = gpu.ok ? 'accepted' : 'refused';
    }
    return Object.freeze(d);
  }
}

function resources(jobId: string, nodeId: string, keys: readonly DataKey[]): AuditResource[] {
  const token = (id: string): string => (isReferenceToken(id) ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`);
  return [
    { type: 'job', id: token(jobId) },
    { type: 'node', id: token(nodeId) },
    ...keys.slice(0, 30).map((k) => ({ type: 'key', id: token(k.id) })),
  ];
}
