export type { AuditActor, AuditDetails, AuditEvent, AuditEventInput, AuditOutcome, AuditResource } from './events/audit-event.ts';
export { PURPOSES_OF_USE, isPurposeOfUse, type PurposeOfUse } from './events/purpose-of-use.ts';
export { AuditEventError, isReferenceToken, validateAuditEvent, type AuditEventErrorCode } from './events/validate-event.ts';
export type { AuditReceipt, AuditRecorder } from './audit-recorder.ts';
// Merkle log core (RFC 9162 §2.1): hashes, proofs.
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from './merkle/hashes.ts';
export { MerkleLogError, type MerkleLogErrorCode } from './merkle/merkle-log-error.ts';
export type { NodeId, NodeReader } from './merkle/node-reader.ts';
export { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './merkle/proofs.ts';
export { rootFromLeafHashes } from './merkle/root-from-leaf-hashes.ts';
