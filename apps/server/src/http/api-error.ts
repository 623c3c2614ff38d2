import { BaseError } from '@phiguard/core';

/** Errors of the remote-command routes themselves (not of the services behind them). */
export const API_ERROR_CODES = ['invalid-body', 'not-configured', 'invalid-argument', 'too-large'] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** A request the routes refuse before reaching a service: a malformed streamed body, a service this server was not started with. */
export class ApiError extends BaseError<ApiErrorCode> {}
