import { validateAuditEvent, type AuditEventInput, type AuditReceipt, type AuditRecorder } from '@phiguard/audit';

/**
 * An `AuditRecorder` for unit tests: validates like the real ledger (so a test fails on an event
 * the ledger would refuse) and keeps what was recorded, in order. Not durable, not signed.
 */
export class MemoryAuditRecorder implements AuditRecorder {
  readonly events: AuditEventInput[] = [];

  // async so a validation error becomes a rejection, as with the real ledger.
  // eslint-disable-next-line @typescript-eslint/require-await
  async record(event: AuditEventInput): Promise<AuditReceipt> {
    this.events.push(validateAuditEvent(event));
    return { index: this.events.length - 1, checkpointSize: this.events.length };
  }

  /** Events with this action, e.g. `key.destroy`. */
  withAction(action: string): AuditEventInput[] {
    return this.events.filter((e) => e.action === action);
  }
}
