import { BaseError } from '@phiguard/core';

export const SERVE_DEID_ERROR_CODES = ['deid-worker-lost'] as const;

export type ServeDeidErrorCode = (typeof SERVE_DEID_ERROR_CODES)[number];

/** The server's de-identification could not finish a file for a reason of its own (not the file's). */
export class ServeDeidError extends BaseError<ServeDeidErrorCode> {}
