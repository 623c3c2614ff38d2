import type { KeyState } from '../key-provider.ts';

/** One version of a key-encryption key. `material` is null once destroyed (crypto-shredding). */
export interface KekVersion {
  readonly version: number;
  readonly createdAtMs: number;
  material: Buffer | null;
}

export interface KekRecord {
  readonly keyId: string;
  readonly createdAtMs: number;
  state: KeyState;
  minDecryptVersion: number;
  /** Rotate when the newest version is older than this (NIST SP 800-57 Part 1 §5.3); null: never. */
  rotationPeriodMs: number | null;
  readonly versions: KekVersion[];
}

export const DUAL_CONTROL_OPERATIONS = ['destroy', 'export', 'lower-min-version'] as const;
export type DualControlOperation = (typeof DUAL_CONTROL_OPERATIONS)[number];

/** A request for an operation that needs M-of-N custodian approvals. */
export interface ApprovalRequest {
  readonly id: string;
  readonly operation: DualControlOperation;
  readonly keyId: string;
  /** destroy: one version (null: the whole key); export: the version; lower-min-version: the new minimum. */
  readonly version: number | null;
  readonly requestedBy: string;
  readonly requestedAtMs: number;
  readonly expiresAtMs: number;
  readonly approvals: { readonly by: string; readonly atMs: number }[];
  status: 'open' | 'done';
}

export interface KeystoreState {
  readonly keys: Map<string, KekRecord>;
  readonly custodians: { readonly ids: readonly string[]; readonly threshold: number };
  readonly requests: ApprovalRequest[];
}

interface Serialized {
  keys: (Omit<KekRecord, 'versions'> & { versions: { version: number; createdAtMs: number; material: string | null }[] })[];
  custodians: { ids: string[]; threshold: number };
  requests: ApprovalRequest[];
}

/** The state as bytes for sealing. The result holds key material: seal it and zero it. */
export function serializeState(state: KeystoreState): Buffer {
  const out: Serialized = {
    keys: [...state.keys.values()].map((k) => ({
      ...k,
      versions: k.versions.map((v) => ({ version: v.version, createdAtMs: v.createdAtMs, material: v.material === null ? null : v.material.toString('base64') })),
    })),
    custodians: { ids: [...state.custodians.ids], threshold: state.custodians.threshold },
    requests: state.requests,
  };
  return Buffer.from(JSON.stringify(out), 'utf8');
}

export function deserializeState(bytes: Buffer): KeystoreState {
  const parsed = JSON.parse(bytes.toString('utf8')) as Serialized;
  const keys = new Map<string, KekRecord>();
  for (const k of parsed.keys) {
    keys.set(k.keyId, {
      ...k,
      versions: k.versions.map((v) => ({ version: v.version, createdAtMs: v.createdAtMs, material: v.material === null ? null : materialFrom(v.material) })),
    });
  }
  return { keys, custodians: parsed.custodians, requests: parsed.requests };
}

/** Key material lives in its own (unpooled) buffer so it can be zeroed without touching anything else. */
function materialFrom(base64: string): Buffer {
  const decoded = Buffer.from(base64, 'base64');
  const out = Buffer.alloc(decoded.length);
  decoded.copy(out);
  decoded.fill(0);
  return out;
}

export function emptyState(custodians: readonly string[], threshold: number): KeystoreState {
  return { keys: new Map(), custodians: { ids: [...custodians], threshold }, requests: [] };
}
