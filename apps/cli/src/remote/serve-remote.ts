import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateSignerKeys, parseVerifierKey, readTrustedVerifierKeys, type AuditRecorder, type LedgerStore } from '@phiguard/audit';
import type { Clock, PhiguardConfig } from '@phiguard/core';
import { openKeyManager, type KeyManager } from '@phiguard/keys';
import type { DatasetCatalog, RemoteServices } from '@phiguard/server';
import { Datasets, FsBlobStore, loadOrCreateManifestSigner, openVaultDatabase, SqlDatasetStore } from '@phiguard/vault';
import type { CliContext } from '../context.ts';
import { keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';
import { serveDeid } from './serve-deid.ts';

/** What `serve` opened for the remote-command routes, and how to close it. */
export interface OpenedRemoteServices {
  readonly services: RemoteServices;
  /** Metadata for `GET /v1/datasets/:id` from the same vault (absent without it). */
  readonly catalog?: DatasetCatalog;
  /** One line per service for the start-up banner (no secrets). */
  readonly notes: readonly string[];
  readonly close: () => Promise<void>;
}

/**
 * Opens, for `phiguard serve`, the same stores the local commands use: the ledger (already open),
 * the keystore `<home>/keys/keystore.json` when it exists and PHIGUARD_KEYS_PASSPHRASE or
 * PHIGUARD_KEYS_KEY_FILE unlocks it, and the vault (metadata, `<home>/blobs`, the manifest signer)
 * over that keystore, and de-identification with `<home>/deid.key`. Without the keystore, the key
 * and dataset routes answer 503 not-configured.
 */
export async function openRemoteServices(config: PhiguardConfig, ctx: Pick<CliContext, 'cwd' | 'env' | 'stderr'>, ledger: AuditRecorder, ledgerStore: LedgerStore, clock: Clock): Promise<OpenedRemoteServices> {
  const signer = loadOrCreateSignerKeys(config.home, config.ledger.origin);
  const trusted = readTrustedVerifierKeys(config.home);
  const audit = { store: ledgerStore, verifierKey: signer.verifierKey, verifiers: (trusted.length === 0 ? [signer.verifierKey] : trusted).map((k) => parseVerifierKey(k)) };
  const deid = serveDeid(config.home, ctx, { recorder: ledger, clock });
  const file = keystoreFile(config.home);
  const keyFile = ctx.env.PHIGUARD_KEYS_KEY_FILE;
  const unlockable = keyFile !== undefined || (ctx.env.PHIGUARD_KEYS_PASSPHRASE ?? '') !== '';
  if (!existsSync(file) || !unlockable) {
    return { services: { audit, deid }, notes: [`keys and datasets: not served (${existsSync(file) ? 'set PHIGUARD_KEYS_PASSPHRASE or PHIGUARD_KEYS_KEY_FILE' : 'no keystore; run phiguard keys init'})`], close: () => deid.close() };
  }
  const manager = await openKeyManager({ file, unlock: keystoreUnlock(keyFile, ctx), audit: ledger, clock });
  const driver = await openVaultDatabase(config.database.kind === 'pglite' ? { kind: 'pglite', dataDir: path.join(config.home, 'vault-db') } : { kind: 'postgres', url: config.database.url });
  const store = new SqlDatasetStore(driver);
  const manifests = await loadOrCreateManifestSigner(path.join(config.home, 'vault', 'manifest-signer.pem'));
  const blobs = await FsBlobStore.open(path.join(config.home, 'blobs'), clock);
  const datasets = new Datasets({ store, blobs, providers: [manager.provider], signer: manifests.signer, verifiers: [manifests.verifier], audit: ledger, clock });
  await datasets.reconcile();
  // Key lifecycle changes rewrite the keystore file: one at a time in this process (the file lock covers others).
  let queue: Promise<unknown> = Promise.resolve();
  const keys = <T>(work: (m: KeyManager) => Promise<T>): Promise<T> => {
    const next = queue.then(async () => {
      await manager.reload();
      return work(manager);
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    services: { audit, deid, keys, datasets: (work) => work(datasets) },
    catalog: {
      get: async (id) => {
        const record = (await datasets.list()).find((d) => d.id === id);
        if (record === undefined) return undefined;
        const latest = (await datasets.versions(id)).at(-1);
        // records: files of the newest version (its blobs less the sealed file index).
        return { id, version: latest?.version ?? 0, sealedBy: [record.keyId], records: latest === undefined ? 0 : Math.max(0, latest.blobs.length - 1) };
      },
    },
    notes: ['keys and datasets: served from the local keystore and vault'],
    close: async () => {
      await deid.close();
      await store.close();
      manager.close();
    },
  };
}
