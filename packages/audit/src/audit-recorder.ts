import type { AuditEventInput } from './events/audit-event.ts';

/** Where an accepted event landed: its leaf index and the size of the signed checkpoint covering it. */
export interface AuditReceipt {
  readonly index: number;
  readonly checkpointSize: number;
}

/**
 * The port every stage uses to write to the audit ledger. `record` resolves only when the event
 * is durable and covered by a signed checkpoint; it rejects with a typed error for a malformed
 * event (nothing is written). Implemented by the ledger; fakes live in `@phiguard/testkit`.
 */
export interface AuditRecorder {
  record(event: AuditEventInput): Promise<AuditReceipt>;
}
