import type { AuditEvent } from '../events/audit-event.ts';

/**
 * Events the SIEM must raise at once, whatever their outcome: emergency access (break-glass,
 * HIPAA §164.312(a)(2)(ii)) — the `breakglass.start` action or the HL7 v3 purpose BTG.
 */
export function isAlertEvent(event: Pick<AuditEvent, 'action' | 'purpose'>): boolean {
  return event.purpose === 'BTG' || event.action === 'breakglass.start';
}
