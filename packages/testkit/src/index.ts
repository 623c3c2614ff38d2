export { MemoryAuditRecorder } from './memory-audit-recorder.ts';
