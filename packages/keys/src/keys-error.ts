import { BaseError } from '@phiguard/core';

/** Every way a key or envelope operation can fail. Switch on `code`; messages never hold data values. */
export const KEYS_ERROR_CODES = [
  // envelope (docs/formats/envelope.md)
  'bad-magic',
  'unsupported-version',
  'unsupported-suite',
  'bad-header',
  'context-invalid',
  'context-mismatch',
  'commitment-mismatch',
  'header-auth-failed',
  'frame-auth-failed',
  'truncated',
  'trailing-data',
  'frame-range',
  'no-usable-key',
  // keys and providers
  'unknown-key',
  'key-exists',
  'key-disabled',
  'key-destroyed',
  'version-below-minimum',
  'unwrap-failed',
  'provider-unavailable',
  'provider-error',
  // keystore
  'keystore-exists',
  'keystore-missing',
  'keystore-locked',
  'keystore-corrupt',
  'recovery-failed',
  // dual control
  'not-custodian',
  'self-approval',
  'duplicate-approval',
  'approval-required',
  'request-not-found',
  'request-closed',
  'request-expired',
] as const;

export type KeysErrorCode = (typeof KEYS_ERROR_CODES)[number];

/** The one error class of `@phiguard/keys`. Never carries key material or data values. */
export class KeysError extends BaseError<KeysErrorCode> {}
