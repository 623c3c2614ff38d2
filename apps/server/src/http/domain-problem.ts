import { AccessError } from '@phiguard/access';
import { isBaseError } from '@phiguard/core';
import type { Problem } from './problem.ts';

/**
 * HTTP status of the codes of the vault, keys, ledger and route errors that the remote-command
 * routes let through (other codes: 400 when the caller can fix the request, else 500 below).
 */
const STATUS: Readonly<Record<string, number>> = {
  'not-found': 404, 'unknown-key': 404, 'request-not-found': 404, 'keystore-missing': 404,
  exists: 409, 'key-exists': 409, 'version-conflict': 409, 'keystore-exists': 409,
  retained: 409, 'legal-hold': 409, 'retention-shortened': 409, immutable: 409, 'key-disabled': 409, 'key-destroyed': 409,
  'request-closed': 409, 'request-expired': 409, 'version-below-minimum': 409,
  'not-custodian': 403, 'self-approval': 403, 'duplicate-approval': 409, 'approval-required': 403, 'approval-denied': 403,
  'not-configured': 503, 'too-large': 413,
  'blob-corrupt': 500, 'manifest-invalid': 500, 'signature-invalid': 500, 'store-error': 500, 'provider-unavailable': 503,
  'provider-error': 500, 'reveal-failed': 500, 'keystore-corrupt': 500, 'keystore-locked': 503, 'unwrap-failed': 500,
};

/**
 * A problem document for a `BaseError` from a service (not an `AccessError`, which problem.ts
 * maps itself): the stable code, the message (which by convention names kinds and places, never
 * values) and only the `field` of its place: file names and paths stay on the server.
 */
export function domainProblem(error: unknown, requestId: string): Problem | undefined {
  if (!isBaseError(error) || error instanceof AccessError) return undefined;
  const status = STATUS[error.code] ?? 400;
  const field = error.place?.field;
  if (status >= 500) return { type: 'https://phiguard.dev/problems/internal', title: status === 503 ? 'service not available' : 'internal error', status, code: status === 503 ? error.code : 'internal', requestId };
  return { type: `https://phiguard.dev/problems/${error.code}`, title: error.message, status, code: error.code, requestId, ...(field === undefined ? {} : { field }) };
}
