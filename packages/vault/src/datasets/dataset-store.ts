/** A dataset: a name (a code, never PHI), the KEK its blobs are sealed under, retention and hold. */
export interface DatasetRecord {
  readonly id: string;
  readonly name: string;
  readonly keyProvider: string;
  readonly keyId: string;
  readonly createdBy: string;
  readonly createdMs: number;
  /** Nothing of the dataset may be deleted before this (epoch ms); only extends. */
  readonly retainUntilMs: number | null;
  readonly legalHold: boolean;
}

/** One immutable version: its signed canonical manifest and the blobs it references. */
export interface VersionRecord {
  readonly datasetId: string;
  readonly version: number;
  /** Canonical JSON (RFC 8785) of the manifest: the bytes that were hashed and signed. */
  readonly manifest: string;
  readonly manifestHash: string;
  /** Ed25519 signature over the manifest bytes, base64. */
  readonly signature: string;
  readonly signerKeyId: string;
  readonly createdMs: number;
  /** Index of the `dataset.version.create` ledger entry; null until it is recorded. */
  readonly ledgerIndex: number | null;
  readonly blobs: readonly string[];
}

/**
 * The metadata port of the datasets (PGlite and PostgreSQL implementations share SQL and
 * tests). Versions are inserted once and never changed: `insertVersion` fails with
 * `version-conflict` when the number is taken, and the database refuses updates (trigger).
 */
export interface DatasetStore {
  createDataset(record: DatasetRecord): Promise<void>;
  /** By id (`ds_…`) or name. */
  getDataset(idOrName: string): Promise<DatasetRecord | undefined>;
  listDatasets(): Promise<DatasetRecord[]>;
  insertVersion(record: VersionRecord): Promise<void>;
  getVersion(datasetId: string, version: number): Promise<VersionRecord | undefined>;
  listVersions(datasetId: string): Promise<VersionRecord[]>;
  latestVersion(datasetId: string): Promise<number>;
  markLedgered(datasetId: string, version: number, ledgerIndex: number): Promise<void>;
  unledgeredVersions(): Promise<VersionRecord[]>;
  /** Fails with `retention-shortened` for an earlier date. */
  setRetention(datasetId: string, retainUntilMs: number): Promise<void>;
  setLegalHold(datasetId: string, on: boolean): Promise<void>;
  /** Every blob any version references. */
  referencedBlobs(): Promise<Set<string>>;
  /** Removes a dataset's metadata (the caller checked retention and hold). */
  deleteDataset(datasetId: string): Promise<void>;
  close(): Promise<void>;
}
