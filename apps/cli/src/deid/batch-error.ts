import { BaseError } from '@phiguard/core';

export type BatchErrorCode = 'journal-mismatch' | 'no-inputs' | 'bad-option' | 'key-file';

/** A problem with the batch as a whole (options, output folder, key files); per-file problems are values. */
export class BatchError extends BaseError<BatchErrorCode> {}
