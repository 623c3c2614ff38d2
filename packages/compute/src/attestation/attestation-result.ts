/**
 * Why a verifier refused evidence. Stable lower-case codes: they go into the ledger
 * (`summarizeForAudit`) and callers switch on them. Each verifier documents which it uses.
 */
export const REFUSAL_REASONS = [
  'evidence-malformed',
  'unsupported-evidence',
  'signature-invalid',
  'chain-invalid',
  'root-untrusted',
  'cert-expired',
  'cert-revoked',
  'crl-missing',
  'crl-invalid',
  'crl-expired',
  'cert-mismatch',
  'collateral-invalid',
  'collateral-expired',
  'qe-identity-mismatch',
  'debug-enabled',
  'tcb-too-old',
  'tcb-status-refused',
  'measurement-not-allowed',
  'policy-violation',
  'report-data-mismatch',
  'nonce-mismatch',
  'nonce-unknown',
  'nonce-expired',
  'nonce-replayed',
  'token-invalid',
  'rim-mismatch',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** The TEE a verifier speaks for. `none` is the insecure-local attestor. */
export const TEE_KINDS = ['sev-snp', 'tdx', 'nvidia-gpu', 'none'] as const;
export type TeeKind = (typeof TEE_KINDS)[number];

/** What verified evidence says. Hex strings are lower case. All fields are safe to log (no PHI). */
export interface AttestationClaims {
  readonly tee: TeeKind;
  /** `sha256:` + hex of the evidence bytes as received. */
  readonly evidenceHash: string;
  /** Launch measurement (SNP MEASUREMENT, TDX MRTD, GPU: SHA-384 over the measurement blocks). */
  readonly measurement: string;
  readonly debug: boolean;
  /** TCB numbers by component, e.g. `{ bootloader: 3, tee: 0, snp: 8, microcode: 115 }`. */
  readonly tcb: Readonly<Record<string, number>>;
  /** TCB status where the TEE has one (TDX: `UpToDate`, ...). */
  readonly tcbStatus?: string;
  /** Extra measured registers (TDX RTMR0..3). */
  readonly registers?: Readonly<Record<string, string>>;
  /** The nonce and key hash the evidence is bound to (hex). */
  readonly nonce: string;
  readonly keyHash: string;
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: AttestationClaims }
  | { readonly ok: false; readonly reason: RefusalReason; readonly detail: string; readonly evidenceHash: string; readonly tee: TeeKind };

/** Injected per verification: the time (certificates and CRLs expire) and what the evidence must bind. */
export interface VerifyContext {
  readonly now: Date;
  readonly expectedNonce: Uint8Array;
  readonly expectedKeyHash: Uint8Array;
}

/** The port every TEE verifier implements. Never throws for bad evidence; `TypeError` for misuse. */
export interface EvidenceVerifier<E, P> {
  readonly tee: TeeKind;
  verify(evidence: E, policy: P, context: VerifyContext): Promise<VerifyResult>;
}

/** Another name for {@link EvidenceVerifier} (issue 8 calls them attestors). */
export type Attestor<E, P> = EvidenceVerifier<E, P>;

/** Internal short-circuit for the checks of one verification; never leaves a verifier. */
export class Refusal extends Error {
  readonly reason: RefusalReason;
  readonly detail: string;
  constructor(reason: RefusalReason, detail: string) {
    super(detail);
    this.name = 'Refusal';
    this.reason = reason;
    this.detail = detail;
  }
}

/** Lower-case hex allow-list from a policy field; `TypeError` when it is not a list of strings. */
export function allowList(values: unknown, field: string): ReadonlySet<string> {
  if (!Array.isArray(values) || !values.every((v): v is string => typeof v === 'string'))
    throw new TypeError(`${field} must be an array of hex strings`);
  return new Set(values.map((v) => v.toLowerCase()));
}

export function refuse(reason: RefusalReason, detail: string): never {
  throw new Refusal(reason, detail);
}

/** Checks a context for programmer misuse. */
export function checkContext(context: VerifyContext): void {
  if (!(context.now instanceof Date) || Number.isNaN(context.now.getTime())) throw new TypeError('context.now must be a valid Date');
  if (!(context.expectedNonce instanceof Uint8Array) || context.expectedNonce.length < 16)
    throw new TypeError('context.expectedNonce must be at least 16 bytes');
  if (!(context.expectedKeyHash instanceof Uint8Array) || context.expectedKeyHash.length === 0)
    throw new TypeError('context.expectedKeyHash must be bytes');
}
