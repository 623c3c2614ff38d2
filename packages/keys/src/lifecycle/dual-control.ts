import { KeysError } from '../keys-error.ts';
import type { ApprovalRequest, KeystoreState } from '../local/keystore-state.ts';

/** How long a request stays open for approvals. */
export const REQUEST_TTL_MS = 24 * 60 * 60 * 1000;

/** The principal-id shape custodians and requesters must have (a PHIGuard user or service id). */
const PRINCIPAL = /^[a-z][a-z0-9]{0,15}_[0-9a-hjkmnp-tv-z]{26}$/;

export function checkPrincipal(id: string, field: string): void {
  if (!PRINCIPAL.test(id)) throw new TypeError(`${field} must be a PHIGuard principal id (usr_…)`);
}

/** Checks M-of-N custodian settings: 1 ≤ M ≤ N ≤ 255, distinct principal ids. */
export function checkCustodians(ids: readonly string[], threshold: number): void {
  ids.forEach((id) => { checkPrincipal(id, 'custodian'); });
  if (new Set(ids).size !== ids.length) throw new TypeError('custodians must be distinct');
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > ids.length || ids.length > 255) {
    throw new TypeError('threshold must be from 1 to the number of custodians (at most 255)');
  }
}

/** Finds an open, unexpired request. */
export function openRequest(state: KeystoreState, requestId: string, nowMs: number): ApprovalRequest {
  const request = state.requests.find((r) => r.id === requestId);
  if (request === undefined) throw new KeysError('request-not-found', 'no such approval request', { place: { path: requestId } });
  if (request.status !== 'open') throw new KeysError('request-closed', 'approval request was already carried out', { place: { path: requestId } });
  if (nowMs > request.expiresAtMs) throw new KeysError('request-expired', 'approval request expired', { place: { path: requestId }, hint: 'file a new request' });
  return request;
}

/**
 * Dual control (NIST SP 800-171 3.13.10; NIST SP 800-57 Part 2 §6.1 split knowledge): only a
 * custodian approves, never the requester, never twice. Returns nothing; throws a typed error.
 */
export function checkApproval(state: KeystoreState, request: ApprovalRequest, by: string): void {
  const place = { path: request.id };
  if (!state.custodians.ids.includes(by)) throw new KeysError('not-custodian', 'only a key custodian can approve', { place });
  if (by === request.requestedBy) throw new KeysError('self-approval', 'a requester cannot approve their own request', { place });
  if (request.approvals.some((a) => a.by === by)) throw new KeysError('duplicate-approval', 'this custodian already approved', { place });
}

/** Throws `approval-required` unless M distinct custodians (not the requester) approved. */
export function checkApproved(state: KeystoreState, request: ApprovalRequest): void {
  const valid = new Set(request.approvals.map((a) => a.by).filter((by) => by !== request.requestedBy && state.custodians.ids.includes(by)));
  if (valid.size < state.custodians.threshold) {
    throw new KeysError('approval-required', `needs ${state.custodians.threshold} custodian approvals, has ${valid.size}`, {
      place: { path: request.id },
      hint: 'ask key custodians to run `phiguard keys approve`',
    });
  }
}
