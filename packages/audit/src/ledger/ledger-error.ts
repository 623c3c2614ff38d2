import { BaseError } from '@phiguard/core';

/**
 * What can go wrong in the ledger and its stores. `conflict`: another writer appended first
 * (the batch was refused, nothing written); `corrupt`: stored state does not match its signed
 * checkpoint or an entry is missing; `closed`: used after `close()`; `storage`: the database
 * refused or failed a statement; `key`: the signer key file is missing, unreadable or malformed;
 * `not-found`: an index beyond the log.
 */
export type LedgerErrorCode = 'conflict' | 'corrupt' | 'closed' | 'storage' | 'key' | 'not-found';

/** An error of the audit ledger. Messages name places (index, table, file), never entry contents. */
export class LedgerError extends BaseError<LedgerErrorCode> {}
