import type { Place } from '@phiguard/core';

/** A file (or record stream) by content: SHA-256 hex and size. Never a name or a value. */
export interface ManifestFile {
  readonly sha256: string;
  readonly bytes: number;
}

export interface ManifestOutput extends ManifestFile {
  /** SHA-256 of the input it came from. */
  readonly input: string;
}

/** A record that could not be de-identified: where and why, never what it held. */
export interface ManifestProblem {
  /** SHA-256 of the input file. */
  readonly input: string;
  /** A lower-case code, e.g. `hl7-bad-encoding`. */
  readonly code: string;
  /** The typed error's message: names places and kinds, never data values. */
  readonly message: string;
  /** Coordinates inside the input (no file name: file names can be PHI). */
  readonly place: Omit<Place, 'file'>;
}

export interface ManifestProfile {
  readonly id: string;
  readonly version: string;
  /** `sha256:` + hex of the profile's canonical JSON. */
  readonly hash: string;
}

/**
 * What a de-identification run did (docs/deid/manifest.md): counts by Safe Harbor category and by
 * rule, inputs and outputs by hash, problems, the profile and the key id. It holds no PHI value,
 * so it can be shared with a data recipient; its canonical JSON (RFC 8785) is what is signed.
 */
export interface DeidManifest {
  readonly v: 1;
  readonly kind: 'phiguard.deid.manifest';
  readonly runId: string;
  readonly format: string;
  readonly profile: ManifestProfile;
  readonly keyId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly totals: {
    readonly files: number;
    readonly filesFailed: number;
    readonly records: number;
    readonly recordsFailed: number;
  };
  readonly counts: {
    readonly byCategory: Readonly<Record<string, number>>;
    readonly byRule: Readonly<Record<string, number>>;
  };
  readonly inputs: readonly ManifestFile[];
  readonly outputs: readonly ManifestOutput[];
  readonly problems: readonly ManifestProblem[];
}

/** Ed25519 (RFC 8032) signature over the manifest's canonical JSON. */
export interface ManifestSignature {
  readonly alg: 'Ed25519';
  readonly keyId: string;
  /** base64 of the 64-byte signature. */
  readonly value: string;
}

export interface SignedDeidManifest {
  readonly manifest: DeidManifest;
  /** `sha256:` + hex of the manifest's canonical JSON. */
  readonly hash: string;
  readonly signature: ManifestSignature;
}

/** The injected signer (a local key, an HSM, a KMS): signs bytes with Ed25519. */
export interface ManifestSigner {
  readonly keyId: string;
  sign(bytes: Uint8Array): Promise<Uint8Array>;
}
