import { BaseError } from '@phiguard/core';

export const REMOTE_ERROR_CODES = ['not-logged-in', 'session-refused', 'refused', 'bad-answer', 'local-only', 'transfer-failed'] as const;

export type RemoteErrorCode = (typeof REMOTE_ERROR_CODES)[number];

/** A remote command (`--server URL`) that could not be carried out; the message names the server's stable problem code. */
export class RemoteError extends BaseError<RemoteErrorCode> {}
