import type { SqlDriver } from '@phiguard/audit';
import type { DatasetRecord, DatasetStore, VersionRecord } from '../datasets/dataset-store.ts';
import { VaultError } from '../vault-error.ts';
import { IMMUTABLE_SQLSTATE, RETENTION_SQLSTATE } from './vault-migrations.ts';

interface DatasetRow {
  id: string;
  name: string;
  key_provider: string;
  key_id: string;
  created_by: string;
  created_ms: string | number;
  retain_until_ms: string | number | null;
  legal_hold: boolean;
}

interface VersionRow {
  dataset_id: string;
  version: number | string;
  manifest: string;
  manifest_hash: string;
  signature: string;
  signer_key_id: string;
  created_ms: string | number;
  ledger_index: string | number | null;
  blobs: string[] | null;
}

const VERSION_SELECT = `SELECT v.*, (SELECT array_agg(b.blob ORDER BY b.blob) FROM vault_version_blobs b WHERE b.dataset_id = v.dataset_id AND b.version = v.version) AS blobs FROM vault_versions v`;

/** {@link DatasetStore} over a PostgreSQL-dialect {@link SqlDriver} (PGlite or PostgreSQL). */
export class SqlDatasetStore implements DatasetStore {
  readonly #db: SqlDriver;
  readonly #owns: boolean;

  /** @param owns close the driver with the store. */
  constructor(driver: SqlDriver, owns = true) {
    this.#db = driver;
    this.#owns = owns;
  }

  async createDataset(r: DatasetRecord): Promise<void> {
    try {
      await this.#db.query(
        'INSERT INTO vault_datasets (id, name, key_provider, key_id, created_by, created_ms, retain_until_ms, legal_hold) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
        [r.id, r.name, r.keyProvider, r.keyId, r.createdBy, r.createdMs, r.retainUntilMs, r.legalHold],
      );
    } catch (error) {
      if (sqlState(error) === '23505') throw new VaultError('exists', 'a dataset with this name or id exists', { cause: error, place: { field: 'name' } });
      throw error;
    }
  }

  async getDataset(idOrName: string): Promise<DatasetRecord | undefined> {
    const rows = await this.#db.query<DatasetRow>('SELECT * FROM vault_datasets WHERE id = $1 OR name = $1', [idOrName]);
    return rows[0] === undefined ? undefined : toDataset(rows[0]);
  }

  async listDatasets(): Promise<DatasetRecord[]> {
    return (await this.#db.query<DatasetRow>('SELECT * FROM vault_datasets ORDER BY name')).map(toDataset);
  }

  async insertVersion(r: VersionRecord): Promise<void> {
    try {
      await this.#db.transaction(async (q) => {
        await q(
          'INSERT INTO vault_versions (dataset_id, version, manifest, manifest_hash, signature, signer_key_id, created_ms, ledger_index) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
          [r.datasetId, r.version, r.manifest, r.manifestHash, r.signature, r.signerKeyId, r.createdMs, r.ledgerIndex],
        );
        for (const blob of new Set(r.blobs)) await q('INSERT INTO vault_version_blobs (dataset_id, version, blob) VALUES ($1,$2,$3)', [r.datasetId, r.version, blob]);
      });
    } catch (error) {
      if (sqlState(error) === '23505') throw new VaultError('version-conflict', 'this version number was taken by a concurrent upload', { cause: error, place: { index: r.version } });
      if (sqlState(error) === '23503') throw new VaultError('not-found', 'no such dataset', { cause: error, place: { field: 'dataset' } });
      throw error;
    }
  }

  async getVersion(datasetId: string, version: number): Promise<VersionRecord | undefined> {
    const rows = await this.#db.query<VersionRow>(`${VERSION_SELECT} WHERE v.dataset_id = $1 AND v.version = $2`, [datasetId, version]);
    return rows[0] === undefined ? undefined : toVersion(rows[0]);
  }

  async listVersions(datasetId: string): Promise<VersionRecord[]> {
    return (await this.#db.query<VersionRow>(`${VERSION_SELECT} WHERE v.dataset_id = $1 ORDER BY v.version`, [datasetId])).map(toVersion);
  }

  async latestVersion(datasetId: string): Promise<number> {
    const rows = await this.#db.query<{ v: number | string | null }>('SELECT max(version) AS v FROM vault_versions WHERE dataset_id = $1', [datasetId]);
    return Number(rows[0]?.v ?? 0);
  }

  async markLedgered(datasetId: string, version: number, ledgerIndex: number): Promise<void> {
    await this.#guard(() => this.#db.query('UPDATE vault_versions SET ledger_index = $3 WHERE dataset_id = $1 AND version = $2', [datasetId, version, ledgerIndex]));
  }

  async unledgeredVersions(): Promise<VersionRecord[]> {
    return (await this.#db.query<VersionRow>(`${VERSION_SELECT} WHERE v.ledger_index IS NULL ORDER BY v.created_ms`)).map(toVersion);
  }

  async setRetention(datasetId: string, retainUntilMs: number): Promise<void> {
    await this.#guard(() => this.#db.query('UPDATE vault_datasets SET retain_until_ms = $2 WHERE id = $1', [datasetId, retainUntilMs]));
  }

  async setLegalHold(datasetId: string, on: boolean): Promise<void> {
    await this.#db.query('UPDATE vault_datasets SET legal_hold = $2 WHERE id = $1', [datasetId, on]);
  }

  async referencedBlobs(): Promise<Set<string>> {
    return new Set((await this.#db.query<{ blob: string }>('SELECT DISTINCT blob FROM vault_version_blobs')).map((r) => r.blob));
  }

  async deleteDataset(datasetId: string): Promise<void> {
    await this.#db.transaction(async (q) => {
      await q('DELETE FROM vault_version_blobs WHERE dataset_id = $1', [datasetId]);
      await q('DELETE FROM vault_versions WHERE dataset_id = $1', [datasetId]);
      await q('DELETE FROM vault_datasets WHERE id = $1', [datasetId]);
    });
  }

  async close(): Promise<void> {
    if (this.#owns) await this.#db.close();
  }

  async #guard(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (sqlState(error) === RETENTION_SQLSTATE) throw new VaultError('retention-shortened', 'a retention date can only move later', { cause: error, place: { field: 'retainUntil' } });
      if (sqlState(error) === IMMUTABLE_SQLSTATE) throw new VaultError('immutable', 'dataset versions cannot be changed', { cause: error });
      throw error;
    }
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function toDataset(row: DatasetRow): DatasetRecord {
  return Object.freeze({
    id: row.id,
    name: row.name,
    keyProvider: row.key_provider,
    keyId: row.key_id,
    createdBy: row.created_by,
    createdMs: Number(row.created_ms),
    retainUntilMs: row.retain_until_ms === null ? null : Number(row.retain_until_ms),
    legalHold: row.legal_hold,
  });
}

function toVersion(row: VersionRow): VersionRecord {
  return Object.freeze({
    datasetId: row.dataset_id,
    version: Number(row.version),
    manifest: row.manifest,
    manifestHash: row.manifest_hash,
    signature: row.signature,
    signerKeyId: row.signer_key_id,
    createdMs: Number(row.created_ms),
    ledgerIndex: row.ledger_index === null ? null : Number(row.ledger_index),
    blobs: Object.freeze([...(row.blobs ?? [])]),
  });
}
