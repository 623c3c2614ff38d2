import { BaseError } from '@phiguard/core';

/**
 * What went wrong while shipping the ledger to a SIEM. Messages name the sink, index or setting,
 * never an event's content.
 */
export type SiemErrorCode =
  | 'invalid-config'
  | 'source-gap'
  | 'source-mismatch'
  | 'connect-failed'
  | 'tls-refused'
  | 'connection-lost'
  | 'rejected'
  | 'unavailable'
  | 'write-failed'
  | 'cursor-io'
  | 'closed';

export class SiemError extends BaseError<SiemErrorCode> {}
