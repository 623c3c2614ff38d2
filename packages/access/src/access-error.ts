import { BaseError } from '@phiguard/core';

export type AccessErrorCode =
  | 'weak-password'
  | 'invalid-credentials'
  | 'account-locked'
  | 'rate-limited'
  | 'mfa-required'
  | 'mfa-invalid'
  | 'mfa-replayed'
  | 'session-expired'
  | 'token-invalid'
  | 'api-key-invalid'
  | 'not-found'
  | 'conflict'
  | 'policy-invalid'
  | 'sealed-secret-invalid'
  | 'forbidden';

/** Identity, authentication and authorization failures. Messages name kinds, never values. */
export class AccessError extends BaseError<AccessErrorCode> {}
