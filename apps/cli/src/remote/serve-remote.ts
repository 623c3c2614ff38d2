import { loadOrCreateSignerKeys, parseVerifierKey, readTrustedVerifierKeys, type AuditRecorder, type LedgerStore } from '@phiguard/audit';
import type { Clock, PhiguardConfig } from '@phiguard/core';
import type { DatasetCatalog, RemoteServices } from '@phiguard/server';
import type { LinkageVault } from '@phiguard/vault';
import type { CliContext } from '../context.ts';
import { serveDeid } from './serve-deid.ts';
import { ServeKeystore } from './serve-keystore.ts';

/** What `serve` opened for the remote-command routes, and how to close it. */
export interface OpenedRemoteServices {
  readonly services: RemoteServices;
  /** Metadata for `GET /v1/datasets/:id` from the same vault (absent without it). */
  readonly catalog?: DatasetCatalog;
  /** The linkage vault for the re-identification routes (undefined until the keystore is open and a vault exists). */
  readonly linkage?: () => Promise<LinkageVault | undefined>;
  /** Runs `listener` once the keystore and vault are open (now, or after `keys init|recover --server`); serve-keystore.ts. */
  readonly whenKeyed: (listener: () => Promise<void>) => Promise<void>;
  /** One line per service for the start-up banner (no secrets). */
  readonly notes: readonly string[];
  readonly close: () => Promise<void>;
}

/**
 * Opens, for `phiguard serve`, the same stores the local commands use: the ledger (already open),
 * the keystore `<home>/keys/keystore.json` when it exists and PHIGUARD_KEYS_PASSPHRASE or
 * PHIGUARD_KEYS_KEY_FILE unlocks it, and the vault (metadata, `<home>/blobs`, the manifest signer)
 * over that keystore, and de-identification with `<home>/deid.key`. Without an open keystore the key
 * and dataset routes answer 503 not-configured until custodians initialise or recover it
 * (serve-keystore.ts).
 */
export async function openRemoteServices(config: PhiguardConfig, ctx: Pick<CliContext, 'cwd' | 'env' | 'stderr'>, ledger: AuditRecorder, ledgerStore: LedgerStore, clock: Clock): Promise<OpenedRemoteServices> {
  const signer = loadOrCreateSignerKeys(config.home, config.ledger.origin);
  const trusted = readTrustedVerifierKeys(config.home);
  const audit = { store: ledgerStore, verifierKey: signer.verifierKey, verifiers: (trusted.length === 0 ? [signer.verifierKey] : trusted).map((k) => parseVerifierKey(k)) };
  const deid = serveDeid(config.home, ctx, { recorder: ledger, clock });
  const keystore = await ServeKeystore.start(config, ctx, ledger, clock);
  return {
    // Getters: the keystore and vault can open while the server runs (keys init|recover --server).
    services: {
      audit, deid, keystore,
      get keys() { return keystore.keyed?.keys; },
      get datasets() { return keystore.keyed?.datasets; },
    },
    catalog: keystore.catalog,
    linkage: () => keystore.keyed?.linkage() ?? Promise.resolve(undefined),
    whenKeyed: (listener) => keystore.whenOpen(listener),
    notes: [keystore.note],
    close: async () => {
      await deid.close();
      await keystore.close();
    },
  };
}
