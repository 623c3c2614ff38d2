import { validateAuditEvent, type AuditEventInput, type AuditReceipt, type AuditRecorder } from '@phiguard/audit';

/**
 * An `AuditRecorder` for unit tests: validates like the real ledger (so a test fails on an event
 * the ledger would refuse) and keeps what was recorded, in order. Not durable, not signed.
 */
export class MemoryAuditRecorder implements AuditRecorder {
  readonly events: AuditEventInput[] = [];

  record(event: AuditEventInput): Promise<AuditReceipt> {
    try {
      const valid = validateAuditEvent(event);
      this.events.push(valid);
      return Promise.resolve({ index: this.events.length - 1, checkpointSize: this.events.length });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Events with this action, e.g. `key.destroy`. */
  withAction(action: string): AuditEventInput[] {
    return this.events.filter((e) => e.action === action);
  }
}
