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
// Checkpoints (C2SP signed-note, tlog-checkpoint) and tiles (C2SP tlog-tiles).
export { formatCheckpoint, parseCheckpoint, type Checkpoint, type CheckpointInput } from './checkpoint/checkpoint.ts';
export { ed25519KeyId, generateSignerKey, isValidKeyName, parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from './checkpoint/note-keys.ts';
export { CheckpointKeyring, openCheckpointNote, trustedVerifiers, type CheckpointKeyringOptions } from './checkpoint/checkpoint-keyring.ts';
export { MAX_NOTE_SIGNATURES, openNote, parseNote, signNote, type NoteSignature, type OpenedNote } from './checkpoint/signed-note.ts';
export { checkEntrySize, decodeEntryBundle, decodeEntryBundlePrefix, encodeEntryBundle, MAX_ENTRY_SIZE } from './tiles/entry-bundle.ts';
export { MemoryTileStore } from './tiles/memory-tile-store.ts';
export { tileNodeReader } from './tiles/tile-node-reader.ts';
export { encodeTileIndex, entryBundlePath, TILE_HEIGHT, TILE_WIDTH, tileLevels, tilePath, type TileCoordinates } from './tiles/tile-paths.ts';
export type { DirtyTile, TileLogReader, TileStore } from './tiles/tile-store.ts';
export { TreeBuilder, type AppendResult } from './tiles/tree-builder.ts';
