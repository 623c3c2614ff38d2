import { createHash } from 'node:crypto';
import type { EvidenceVerifier, TeeKind, VerifyContext, VerifyResult } from '../attestation/attestation-result.ts';
import { InsecureLocalAttestor, type InsecureLocalEvidence } from '../attestation/insecure-local.ts';

/** Evidence as an agent sends it over HTTPS: a `kind` and base64/PEM fields (see docs/compute/agent.md). */
export interface WireEvidence {
  readonly kind: string;
  readonly [field: string]: unknown;
}

interface Route {
  readonly decode: (wire: WireEvidence) => unknown;
  readonly verifier: EvidenceVerifier<unknown, unknown>;
  readonly policy: unknown;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 field of wire evidence, or `undefined` when absent or not base64. */
export function wireBytes(wire: WireEvidence, field: string): Uint8Array | undefined {
  const v = wire[field];
  return typeof v === 'string' && v.length <= 1_000_000 && B64.test(v) ? new Uint8Array(Buffer.from(v, 'base64')) : undefined;
}

/**
 * The control plane's verifier port for evidence of any configured kind: it decodes the wire form
 * and hands it to the verifier registered for that kind (SEV-SNP, TDX, insecure-local, ...). An
 * unknown kind or a shape that does not decode is a refusal (`unsupported-evidence`,
 * `evidence-malformed`), never an exception, so the key releaser ledgers it like any other.
 */
export class EvidenceRouter implements EvidenceVerifier<WireEvidence, null> {
  readonly tee: TeeKind = 'none';
  readonly #routes = new Map<string, Route>();

  register<E, P>(kind: string, route: { readonly decode: (wire: WireEvidence) => E | undefined; readonly verifier: EvidenceVerifier<E, P>; readonly policy: P }): this {
    this.#routes.set(kind, route);
    return this;
  }

  /** Adds the `insecure-local` kind (`{kind, reportData: base64}`); policy still refuses PHI without the dev flag. */
  withInsecureLocal(): this {
    return this.register<InsecureLocalEvidence, Record<string, never>>('insecure-local', {
      decode: (w) => {
        const reportData = wireBytes(w, 'reportData');
        return reportData === undefined ? undefined : { kind: 'insecure-local', reportData };
      },
      verifier: new InsecureLocalAttestor(),
      policy: {},
    });
  }

  get kinds(): readonly string[] {
    return [...this.#routes.keys()];
  }

  async verify(evidence: WireEvidence, _policy: null, context: VerifyContext): Promise<VerifyResult> {
    const evidenceHash = `sha256:${createHash('sha256').update(JSON.stringify(evidence)).digest('hex')}`;
    const route = typeof evidence.kind === 'string' ? this.#routes.get(evidence.kind) : undefined;
    if (route === undefined) return { ok: false, reason: 'unsupported-evidence', detail: 'no verifier for this evidence kind', evidenceHash, tee: 'none' };
    let decoded: unknown;
    try {
      decoded = route.decode(evidence);
    } catch {
      decoded = undefined;
    }
    if (decoded === undefined) return { ok: false, reason: 'evidence-malformed', detail: 'evidence fields do not decode', evidenceHash, tee: route.verifier.tee };
    return route.verifier.verify(decoded, route.policy, context);
  }
}
