import { BaseError } from '@phiguard/core';

/** What can go wrong in de-identification. Messages name places and kinds, never data values. */
export type DeidErrorCode =
  | 'invalid-key'
  | 'invalid-identity'
  | 'invalid-date'
  | 'invalid-profile'
  | 'no-tokenizer'
  | 'hl7-no-msh'
  | 'hl7-bad-encoding'
  | 'hl7-bad-segment'
  | 'hl7-no-patient'
  | 'text-bad-encoding'
  | 'manifest-invalid'
  | 'model-invalid'
  | 'model-failed'
  | 'model-not-awaited';

/** The de-identification package's error (ARCHITECTURE §3.3): a literal-union code and a `place`. */
export class DeidError extends BaseError<DeidErrorCode> {}
