import { randomBytes } from 'node:crypto';
import type { SqlDriver } from '@phiguard/audit';
import { encodeBase32 } from '@phiguard/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetRecord, DatasetStore, VersionRecord } from './dataset-store.ts';

export interface DatasetStoreHarness {
  /** A fresh, migrated, empty database and a way to run raw SQL on it (to try to bypass the store). */
  open(): Promise<{ store: DatasetStore; driver: SqlDriver; close: () => Promise<void> }>;
}

const freshDataset = (): DatasetRecord => ({
  id: `ds_${encodeBase32(randomBytes(17)).slice(0, 26)}`,
  name: `chest-ct-${randomBytes(4).toString('hex')}`,
  keyProvider: 'local',
  keyId: 'dataset-key',
  createdBy: 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9',
  createdMs: 1_700_000_000_000,
  retainUntilMs: null,
  legalHold: false,
});

function version(dataset: DatasetRecord, n: number, blobs: string[]): VersionRecord {
  return {
    datasetId: dataset.id,
    version: n,
    manifest: `{"version":${String(n)}}`,
    manifestHash: `sha256:${String(n).padStart(64, '0')}`,
    signature: 'c2ln',
    signerKeyId: 'vault-signer',
    createdMs: 1_700_000_000_000 + n,
    ledgerIndex: null,
    blobs,
  };
}

const blob = (): string => `sha256:${randomBytes(32).toString('hex')}`;

/** The DatasetStore contract, run on PGlite and on PostgreSQL. */
export function describeDatasetStoreContract(name: string, harness: DatasetStoreHarness): void {
  describe(`DatasetStore contract: ${name}`, () => {
    // One database per file (opening PGlite is slow); each test has its own dataset.
    let opened: Awaited<ReturnType<DatasetStoreHarness['open']>>;
    let store: DatasetStore;
    let dataset: DatasetRecord;
    beforeAll(async () => {
      opened = await harness.open();
      store = opened.store;
    });
    afterAll(async () => {
      await opened.close();
    });
    beforeEach(async () => {
      dataset = freshDataset();
      await store.createDataset(dataset);
    });

    it('creates, finds by id or name, refuses a duplicate name', async () => {
      expect(await store.getDataset(dataset.id)).toEqual(dataset);
      expect(await store.getDataset(dataset.name)).toEqual(dataset);
      expect(await store.getDataset('nope')).toBeUndefined();
      await expect(store.createDataset({ ...freshDataset(), name: dataset.name })).rejects.toMatchObject({ code: 'exists' });
      expect((await store.listDatasets()).filter((d) => d.name === dataset.name)).toEqual([dataset]);
    });

    it('inserts versions once; a taken number is a version-conflict; blobs are indexed', async () => {
      const [a, b, c] = [blob(), blob(), blob()];
      await store.insertVersion(version(dataset, 1, [a, b]));
      await expect(store.insertVersion(version(dataset, 1, [c]))).rejects.toMatchObject({ code: 'version-conflict' });
      await store.insertVersion(version(dataset, 2, [b, c]));
      expect(await store.latestVersion(dataset.id)).toBe(2);
      expect((await store.getVersion(dataset.id, 1))?.blobs).toEqual([a, b].sort());
      expect((await store.listVersions(dataset.id)).map((v) => v.version)).toEqual([1, 2]);
      const referenced = await store.referencedBlobs();
      expect([a, b, c].every((x) => referenced.has(x))).toBe(true);
    });

    it('a version cannot be changed, even with raw SQL; the ledger index is set once', async () => {
      await store.insertVersion(version(dataset, 1, [blob()]));
      await expect(opened.driver.query(`UPDATE vault_versions SET manifest = '{}' WHERE dataset_id = $1`, [dataset.id])).rejects.toMatchObject({ code: 'VT001' });
      await expect(opened.driver.query(`UPDATE vault_version_blobs SET blob = 'x' WHERE dataset_id = $1`, [dataset.id])).rejects.toMatchObject({ code: 'VT001' });
      const mine = async (): Promise<number[]> => (await store.unledgeredVersions()).filter((v) => v.datasetId === dataset.id).map((v) => v.version);
      expect(await mine()).toEqual([1]);
      await store.markLedgered(dataset.id, 1, 42);
      expect((await store.getVersion(dataset.id, 1))?.ledgerIndex).toBe(42);
      expect(await mine()).toEqual([]);
      await expect(store.markLedgered(dataset.id, 1, 43)).rejects.toMatchObject({ code: 'immutable' });
    });

    it('retention only extends, even with raw SQL; legal hold toggles', async () => {
      await store.setRetention(dataset.id, 2_000_000_000_000);
      await expect(store.setRetention(dataset.id, 1_900_000_000_000)).rejects.toMatchObject({ code: 'retention-shortened' });
      await expect(opened.driver.query('UPDATE vault_datasets SET retain_until_ms = NULL WHERE id = $1', [dataset.id])).rejects.toMatchObject({ code: 'VT002' });
      await store.setRetention(dataset.id, 2_100_000_000_000);
      await store.setLegalHold(dataset.id, true);
      expect(await store.getDataset(dataset.id)).toMatchObject({ retainUntilMs: 2_100_000_000_000, legalHold: true });
    });

    it('deletes a dataset with its versions', async () => {
      const only = blob();
      await store.insertVersion(version(dataset, 1, [only]));
      await store.deleteDataset(dataset.id);
      expect(await store.getDataset(dataset.id)).toBeUndefined();
      expect((await store.referencedBlobs()).has(only)).toBe(false);
    });
  });
}
