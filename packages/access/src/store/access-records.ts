import type { PurposeOfUse } from '@phiguard/audit';

/** A service-account API key; only the SHA-256 of the secret is kept (shown once at creation). */
export interface ApiKeyRecord {
  readonly id: string;
  readonly accountId: string;
  /** hex SHA-256 of the whole key string. */
  readonly secretHash: string;
  /** Actions the key may be used for (a subset of what the account's roles allow). */
  readonly scopes: readonly string[];
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly revokedMs: number | undefined;
}

/** A logged-in session (HIPAA §164.312(a)(2)(iii) automatic logoff after inactivity). */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  /** hex SHA-256 of the session secret the client holds. */
  readonly secretHash: string;
  readonly createdMs: number;
  readonly lastSeenMs: number;
  /** When the second factor was last proven (break-glass needs a fresh one). */
  readonly mfaMs: number;
  readonly endedMs: number | undefined;
}

/** A time-bound, purpose-bound grant from a data steward. */
export interface GrantRecord {
  readonly id: string;
  readonly principalId: string;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly purpose: PurposeOfUse;
  readonly grantedBy: string;
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly revokedMs: number | undefined;
}

/** A break-glass episode; stays in the review queue until a security officer reviews it. */
export interface BreakGlassRecord {
  readonly id: string;
  readonly userId: string;
  readonly reason: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly startedMs: number;
  readonly expiresMs: number;
  readonly reviewedBy: string | undefined;
  readonly reviewedMs: number | undefined;
}

/** A WebAuthn credential registered as a second factor (W3C WebAuthn Level 3 §6.4). */
export interface WebAuthnCredentialRecord {
  readonly id: string;
  readonly userId: string;
  /** COSE public key bytes. */
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly createdMs: number;
}

/** An access-token signing key (Ed25519); the private key is sealed (SecretBox, owner = kid). */
export interface SigningKeyRecord {
  readonly kid: string;
  /** The public JWK as JSON (RFC 7517). */
  readonly publicJwk: string;
  /** PKCS#8 of the private key, sealed. */
  readonly sealedPrivateKey: string;
  readonly createdMs: number;
  /** When it stopped verifying; undefined while it signs or still verifies. */
  readonly retiredMs: number | undefined;
}
