import { BaseError } from '@phiguard/core';

export const VAULT_ERROR_CODES = [
  'not-found',
  'exists',
  'blob-corrupt',
  'retained',
  'legal-hold',
  'retention-shortened',
  'invalid-name',
  'invalid-argument',
  'version-conflict',
  'manifest-invalid',
  'signature-invalid',
  'immutable',
  'store-error',
  'request-invalid',
  'approval-denied',
  'reveal-failed',
  'request-expired',
  'request-closed',
] as const;

export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];

/** Errors of `@phiguard/vault`. Messages name places and kinds (ids, hashes), never data values. */
export class VaultError extends BaseError<VaultErrorCode> {}
