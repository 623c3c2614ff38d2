import { BaseError } from '@phiguard/core';

/**
 * What can go wrong in the Merkle log core: signed notes and keys (C2SP signed-note),
 * checkpoints (C2SP tlog-checkpoint), tiles and entry bundles (C2SP tlog-tiles).
 */
export type MerkleLogErrorCode =
  | 'malformed-key'
  | 'malformed-note'
  | 'bad-signature'
  | 'unverified-note'
  | 'malformed-checkpoint'
  | 'entry-too-large'
  | 'malformed-bundle'
  | 'missing-tile'
  | 'malformed-tile'
  | 'missing-entries'
  | 'stale-checkpoint';

/** An error of the Merkle log core. Messages name places (line, level, index), never data. */
export class MerkleLogError extends BaseError<MerkleLogErrorCode> {}
