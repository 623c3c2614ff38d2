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
export type { AuditSink } from './siem/audit-sink.ts';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './siem/backoff.ts';
export { FileCursorStore } from './siem/file-cursor-store.ts';
export { formatSyslog5424, escapeSdValue, SEVERITY_BY_OUTCOME, type Syslog5424Options, type SyslogFacility } from './siem/format-syslog-5424.ts';
export { HttpsWebhookSink, type HttpsWebhookSinkOptions } from './siem/https-webhook-sink.ts';
export { mapToOcsf, OCSF_VERSION, type OcsfOptions } from './siem/map-ocsf.ts';
export { classifyAction, type OcsfClassification } from './siem/ocsf-classes.ts';
export { ledgerShipSource } from './siem/ledger-ship-source.ts';
export { MemoryCursorStore } from './siem/memory-cursor-store.ts';
export { MemoryShipSource } from './siem/memory-ship-source.ts';
export { NdjsonFileSink, type NdjsonFileSinkOptions } from './siem/ndjson-file-sink.ts';
export { frameOctetCounting, splitOctetCounted } from './siem/octet-counting.ts';
export { parseSyslog5424, type ParsedSyslog5424 } from './siem/parse-syslog-5424.ts';
export type { CursorStore, ShipSource, SourceEntry } from './siem/ship-source.ts';
export { checkpointKey, checkpointRecord, eventKey, eventRecord, leafHashHex, type ShippedCheckpoint, type ShippedEvent, type ShippedRecord } from './siem/shipped-record.ts';
export { Shipper, type ShipperOptions, type ShipperReport } from './siem/shipper.ts';
export { SiemError, type SiemErrorCode } from './siem/siem-error.ts';
export { SyslogTlsSink, type SyslogTlsSinkOptions } from './siem/syslog-tls-sink.ts';
export { systemTimers, type Timers } from './siem/timers.ts';
export { exportTiles, type ExportTilesOptions, type ExportTilesResult } from './tiles/export-tiles.ts';
export { folderTileLogReader } from './tiles/folder-tile-log-reader.ts';
export { MemoryTileLog } from './tiles/memory-tile-log.ts';
export { verifyLog, type VerifyFailure, type VerifyLogOptions, type VerifyReport } from './tiles/verify-log.ts';
// The ledger (AuditRecorder) and its stores: group commit, signed checkpoints, search, proofs.
export { parseLeaf, prepareLeaf, type PreparedLeaf } from './ledger/audit-leaf.ts';
export type { CheckpointSigner } from './ledger/checkpoint-signer.ts';
export { Ledger, type LedgerHit, type LedgerOptions } from './ledger/ledger.ts';
export { LedgerError, type LedgerErrorCode } from './ledger/ledger-error.ts';
export { readVerifiedHead, resumeTree, signCheckpoint, type SignedHead } from './ledger/ledger-head.ts';
export { proveInclusion, type InclusionProofResult } from './ledger/ledger-proof.ts';
export { openLedger, type OpenLedgerOptions } from './ledger/open-ledger.ts';
export {
  beginSignerRotation,
  checkpointSigner,
  finishSignerRotation,
  loadOrCreateSignerKeys,
  readTrustedVerifierKeys,
  SIGNER_KEY_FILE,
  VERIFIER_KEYS_FILE,
  type SignerKeys,
} from './ledger/signer-key-file.ts';
export type { AppendBatch, EntryHit, EntryQuery, LedgerStore, StoredCheckpoint, StoredEntry, StoredTile, StoredVerifierKey } from './store/ledger-store.ts';
export { openConfiguredLedgerStore, openPgliteLedgerStore, openPostgresLedgerStore } from './store/open-ledger-store.ts';
export type { PgDriverOptions } from './store/pg-driver.ts';
export { openPgDriver } from './store/pg-driver.ts';
export { openPgliteDriver } from './store/pglite-driver.ts';
export type { SqlDriver, SqlQuery } from './store/sql-driver.ts';
export { dropTestSchema, randomTestSchema, TEST_PG_URL } from './store/pg-test-schema.ts';
export { createConfiguredSinks, type ConfiguredSinkDeps } from './siem/configured-sinks.ts';
