import { BaseError } from '@phiguard/core';

/**
 * `deid-worker-lost`: the worker thread died (crash or heap limit) during the file;
 * `transfer-aborted`: the upload ended before the file was complete, stalled, or differed from its declared size.
 */
export const SERVE_DEID_ERROR_CODES = ['deid-worker-lost', 'transfer-aborted'] as const;

export type ServeDeidErrorCode = (typeof SERVE_DEID_ERROR_CODES)[number];

/** The server's de-identification could not finish a file for a reason of its own (not the file's). */
export class ServeDeidError extends BaseError<ServeDeidErrorCode> {}
