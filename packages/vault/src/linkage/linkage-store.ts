import type { PurposeOfUse } from '@phiguard/audit';

/** The token key of a linkage vault, wrapped under the vault's own KEK (never stored in clear). */
export interface StoredTokenKey {
  readonly provider: string;
  readonly keyId: string;
  readonly version: number;
  readonly wrapped: Uint8Array;
}

/** Stored status: `withdrawn` by the requester (migration 3), before a decision or a reveal. */
export type ReidStatus = 'open' | 'approved' | 'denied' | 'revealed' | 'withdrawn';

/**
 * What callers see: the stored status, except that an open request older than the vault's
 * `openTtlMs` is `expired`, and an approved request whose reveal window (`requestTtlMs` after
 * the approval) has passed is `approval-expired`. Both are computed from the stored times and
 * the clock; nothing is stored.
 */
export type ReidState = ReidStatus | 'expired' | 'approval-expired';

/** Every state, in the order a request moves through them (for options, schemas and messages). */
export const REID_STATES: readonly ReidState[] = ['open', 'expired', 'approved', 'approval-expired', 'denied', 'revealed', 'withdrawn'];

/** A re-identification request: who asks, why (HL7 v3 PurposeOfUse), for which tokens. */
export interface ReidRequest {
  readonly id: string;
  readonly requester: string;
  readonly purpose: PurposeOfUse;
  readonly tokens: readonly string[];
  readonly createdMs: number;
  readonly status: ReidStatus;
  readonly decidedBy: string | null;
  readonly decidedMs: number | null;
  /**
   * The requester's stated reason (free text for the reviewer, kept only here, in the vault's
   * access-controlled table; the ledger gets its SHA-256). Empty for requests made before
   * migration 2.
   */
  readonly reason: string;
  /** The reviewer's stated reason for a denial (free text, like `reason`); null otherwise. */
  readonly decisionReason: string | null;
  readonly revealedMs: number | null;
  /** When the requester withdrew it; null otherwise (and for rows from before migration 3). */
  readonly withdrawnMs: number | null;
}

/** Which requests to list: by requester and/or state; newest first, at most `limit`. */
export interface ReidRequestFilter {
  readonly requester?: string;
  /**
   * States to list. With `expiredBeforeMs`, `open` means open requests created at or after it
   * and `expired` open requests created before it; without it, no open request has expired.
   * Likewise with `approvalExpiredBeforeMs`, `approved` means approved requests decided at or
   * after it and `approval-expired` those decided before it; without it, no approval has expired.
   */
  readonly statuses?: readonly ReidState[];
  readonly expiredBeforeMs?: number;
  readonly approvalExpiredBeforeMs?: number;
  readonly limit: number;
}

/**
 * Storage port of the linkage vault: sealed entries (token → envelope) and re-identification
 * requests. Entries are inserted once and never replaced. `transition` is a compare-and-set on
 * the status, so a request is approved once and revealed once even with concurrent callers.
 */
export interface LinkageStore {
  getTokenKey(): Promise<StoredTokenKey | undefined>;
  /** Stores the key unless one exists; returns the one that is stored. */
  putTokenKey(key: StoredTokenKey, createdMs: number): Promise<StoredTokenKey>;
  /** Inserts entries; an existing token keeps its first entry. */
  putEntries(entries: readonly { readonly token: string; readonly sealed: Uint8Array }[], createdMs: number): Promise<void>;
  getEntry(token: string): Promise<Uint8Array | undefined>;
  createRequest(request: ReidRequest): Promise<void>;
  getRequest(id: string): Promise<ReidRequest | undefined>;
  listRequests(filter: ReidRequestFilter): Promise<readonly ReidRequest[]>;
  /**
   * Sets `to` (and who, when; for a decision also its stated reason; for `revealed` and
   * `withdrawn` only when) only if the status is still `from`; false when it was not.
   */
  transition(id: string, from: ReidStatus, to: ReidStatus, by: string, atMs: number, note?: string): Promise<boolean>;
}
