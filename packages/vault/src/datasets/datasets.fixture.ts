import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { createMemoryKeyProvider } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { FsBlobStore } from '../blob/fs-blob-store.ts';
import { openVaultDatabase } from '../sql/open-vault-database.ts';
import { SqlDatasetStore } from '../sql/sql-dataset-store.ts';
import { Datasets } from './datasets.ts';
import type { DatasetsOptions } from './datasets-context.ts';
import { generateManifestSigner } from './manifest-signer.ts';

export const ALICE = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
export const BOB = 'usr_01jxk3q8y9a2b3c4d5e6f7g8ha';
export const T0 = Date.UTC(2026, 10, 1);
export const DAY = 86_400_000;

/** Identifiers seeded into file names and contents; no output channel may contain them. */
export const SEEDED = ['SMITH^JOHNATHAN', 'MRN-4417-2209', '1961-04-17', '555-867-5309'];

export interface DatasetsFixture {
  readonly datasets: Datasets;
  readonly options: DatasetsOptions;
  readonly audit: MemoryAuditRecorder;
  readonly clock: ManualClock;
  readonly blobRoot: string;
  readonly blobs: FsBlobStore;
  close(): Promise<void>;
}

/** A Datasets service on in-memory PGlite, a temp FsBlobStore, memory KEKs and a memory ledger. */
export async function openDatasetsFixture(): Promise<DatasetsFixture> {
  const clock = new ManualClock(T0);
  const blobRoot = await mkdtemp(path.join(tmpdir(), 'datasets-'));
  const blobs = await FsBlobStore.open(blobRoot, clock);
  const store = new SqlDatasetStore(await openVaultDatabase({ kind: 'pglite' }));
  const { provider } = createMemoryKeyProvider(['dataset-key', 'other-key'], T0);
  const { signer, verifier } = generateManifestSigner();
  const audit = new MemoryAuditRecorder();
  const options: DatasetsOptions = { store, blobs, providers: [provider], signer, verifiers: [verifier], audit, clock, frameSize: 4096 };
  return {
    datasets: new Datasets(options),
    options,
    audit,
    clock,
    blobRoot,
    blobs,
    close: async () => {
      await store.close();
      await rm(blobRoot, { recursive: true, force: true });
    },
  };
}

export function file(name: string, content: string | Uint8Array): { name: string; open: () => Iterable<Uint8Array> } {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { name, open: () => [bytes] };
}
