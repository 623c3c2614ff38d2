export type { AuditActor, AuditDetails, AuditEvent, AuditEventInput, AuditOutcome, AuditResource } from './events/audit-event.ts';
export { PURPOSES_OF_USE, isPurposeOfUse, type PurposeOfUse } from './events/purpose-of-use.ts';
export { AuditEventError, isReferenceToken, validateAuditEvent, type AuditEventErrorCode } from './events/validate-event.ts';
export type { AuditReceipt, AuditRecorder } from './audit-recorder.ts';
