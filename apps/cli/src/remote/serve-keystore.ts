import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AuditRecorder } from '@phiguard/audit';
import { isBaseError, type Clock, type PhiguardConfig } from '@phiguard/core';
import { initKeystore, KeysError, openKeyManager, readKeyFile, RecoveryCollector, recoverKeystoreByCustodians, recoveryThreshold, type KeyManager, type KeystoreUnlock } from '@phiguard/keys';
import type { DatasetCatalog, KeystoreAdmin, KeystoreStatus, RecoveryProgress, RemoteServices } from '@phiguard/server';
import { Datasets, FsBlobStore, LinkageVault, linkageVaultTimes, loadOrCreateManifestSigner, openVaultDatabase, SqlDatasetStore, SqlLinkageStore } from '@phiguard/vault';
import type { CliContext } from '../context.ts';
import { keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';

/** The keystore and the vault over it, once the keystore is open. */
export interface Keyed {
  readonly keys: NonNullable<RemoteServices['keys']>;
  readonly datasets: NonNullable<RemoteServices['datasets']>;
  readonly catalog: DatasetCatalog;
  /** The linkage vault (re-identification routes) once `deid … --linkage-key` created it. */
  readonly linkage: () => Promise<LinkageVault | undefined>;
  readonly close: () => Promise<void>;
}

/**
 * The server's keystore for `phiguard serve`: opened at start when it exists and the unlock
 * secret (PHIGUARD_KEYS_PASSPHRASE or PHIGUARD_KEYS_KEY_FILE, the server's own, never sent over
 * the wire) opens it; otherwise created by `keys init --server` or, when the server was started
 * with PHIGUARD_KEYS_RECOVER=1 and a new secret, recovered from custodian shares by
 * `keys recover --server`. Either way the key and dataset routes are served from then on,
 * without a restart. One lifecycle change at a time.
 */
export class ServeKeystore implements KeystoreAdmin {
  readonly #config: PhiguardConfig;
  readonly #file: string;
  readonly #unlock: KeystoreUnlock | undefined;
  readonly #ledger: AuditRecorder;
  readonly #clock: Clock;
  readonly #collector: RecoveryCollector;
  #state: KeystoreStatus;
  #threshold = 0;
  #keyed: Keyed | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onOpen: ((keyed: Keyed) => Promise<void>)[] = [];

  private constructor(config: PhiguardConfig, unlock: KeystoreUnlock | undefined, ledger: AuditRecorder, clock: Clock) {
    this.#config = config;
    this.#file = keystoreFile(config.home);
    this.#unlock = unlock;
    this.#ledger = ledger;
    this.#clock = clock;
    this.#collector = new RecoveryCollector(clock);
    this.#state = unlock === undefined ? 'no-secret' : existsSync(this.#file) ? 'locked' : 'absent';
  }

  /** Opens what can be opened now. A secret that does not open the keystore fails the start, unless PHIGUARD_KEYS_RECOVER=1. */
  static async start(config: PhiguardConfig, ctx: Pick<CliContext, 'cwd' | 'env'>, ledger: AuditRecorder, clock: Clock): Promise<ServeKeystore> {
    const keyFile = ctx.env.PHIGUARD_KEYS_KEY_FILE;
    const unlock = keyFile !== undefined || (ctx.env.PHIGUARD_KEYS_PASSPHRASE ?? '') !== '' ? keystoreUnlock(keyFile, ctx) : undefined;
    const keystore = new ServeKeystore(config, unlock, ledger, clock);
    if (keystore.#state !== 'locked' || unlock === undefined) return keystore;
    try {
      await keystore.serve(await openKeyManager({ file: keystore.#file, unlock, audit: ledger, clock }));
    } catch (error) {
      if (!(isBaseError(error) && error.code === 'keystore-locked' && ctx.env.PHIGUARD_KEYS_RECOVER === '1')) throw error;
      // Recovery mode: a bad key file must fail now, not after the custodians gave their shares.
      if (unlock.kind === 'key-file') await readKeyFile(unlock.path);
      keystore.#threshold = await recoveryThreshold(keystore.#file);
    }
    return keystore;
  }

  /** The start-up banner line (no secrets). */
  get note(): string {
    switch (this.#state) {
      case 'open': return 'keys and datasets: served from the local keystore and vault';
      case 'absent': return 'keys and datasets: not served yet (no keystore; a key custodian runs `phiguard keys init --server URL`)';
      case 'locked': return `keys and datasets: not served (recovery mode: ${String(this.#threshold)} custodians each run \`phiguard keys recover --server URL --share …\`)`;
      case 'no-secret': return `keys and datasets: not served (${existsSync(this.#file) ? 'set PHIGUARD_KEYS_PASSPHRASE or PHIGUARD_KEYS_KEY_FILE' : 'no keystore; set PHIGUARD_KEYS_PASSPHRASE or PHIGUARD_KEYS_KEY_FILE, then run phiguard keys init'})`;
    }
  }

  /** The open keystore and vault (undefined until then). */
  get keyed(): Keyed | undefined {
    return this.#keyed;
  }

  /**
   * Runs `listener` once the keystore and vault are open: now if they are, else when `keys
   * init|recover --server` opens them. Runs inside that lifecycle change, after the keystore is
   * served; a listener that fails must not fail it (the init answer carries the only copy of the
   * recovery shares), so listeners handle their own errors.
   */
  async whenOpen(listener: (keyed: Keyed) => Promise<void>): Promise<void> {
    if (this.#keyed !== undefined) await listener(this.#keyed);
    else this.#onOpen.push(listener);
  }

  /** GET /v1/datasets/:id from whichever vault is open now. */
  readonly catalog: DatasetCatalog = { get: (id) => this.#keyed?.catalog.get(id) ?? Promise.resolve(undefined) };

  status(): Promise<{ state: KeystoreStatus; recovery?: RecoveryProgress }> {
    if (this.#state !== 'locked') return Promise.resolve({ state: this.#state });
    return Promise.resolve({ state: this.#state, recovery: { threshold: this.#threshold, received: this.#collector.received, expiresAtMs: this.#collector.expiresAtMs } });
  }

  init(actor: string, custodians: readonly string[], threshold: number): Promise<{ shares: readonly string[]; shareThreshold: number }> {
    return this.serial(async () => {
      const unlock = this.#unlock;
      if (this.#state !== 'absent' || unlock === undefined) throw new KeysError('keystore-exists', 'this server already has a keystore', { place: { field: 'keystore' } });
      mkdirSync(path.dirname(this.#file), { recursive: true, mode: 0o700 });
      const { manager, recoveryShares } = await initKeystore({ file: this.#file, unlock, audit: this.#ledger, clock: this.#clock, actor, custodians, threshold });
      // The shares exist nowhere else: they go back to the caller even if the vault cannot be opened
      // now (the keystore file exists, so a second init is refused; the next start serves it).
      await this.serve(manager).catch(() => {
        manager.close();
      });
      return { shares: recoveryShares, shareThreshold: Math.max(2, threshold) };
    });
  }

  submitShare(actor: string, share: string): Promise<{ received: number; threshold: number; recovered: boolean }> {
    return this.serial(async () => {
      const unlock = this.#unlock;
      if (this.#state !== 'locked' || unlock === undefined) throw new KeysError('keystore-exists', 'the keystore is not waiting for recovery shares', { place: { field: 'keystore' } });
      const received = this.#collector.add(actor, share);
      const threshold = this.#threshold;
      await this.#ledger.record({ actor: { kind: 'user', id: actor }, action: 'key.recover-share', outcome: 'success', details: { received, threshold } });
      if (received < threshold) return { received, threshold, recovered: false };
      let manager: KeyManager;
      try {
        manager = await recoverKeystoreByCustodians({ file: this.#file, unlock, audit: this.#ledger, clock: this.#clock, ...this.#collector.take() });
      } catch (error) {
        await this.#ledger.record({ actor: { kind: 'user', id: actor }, action: 'key.recover', outcome: 'failure', reason: isBaseError(error) ? error.code : 'error', details: { shares: received, remote: true } });
        throw error;
      }
      await this.serve(manager);
      return { received, threshold, recovered: true };
    });
  }

  async close(): Promise<void> {
    this.#collector.clear();
    await this.#keyed?.close();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Opens the vault over the keystore and starts serving both. */
  private async serve(manager: KeyManager): Promise<void> {
    const config = this.#config;
    const driver = await openVaultDatabase(config.database.kind === 'pglite' ? { kind: 'pglite', dataDir: path.join(config.home, 'vault-db') } : { kind: 'postgres', url: config.database.url });
    const store = new SqlDatasetStore(driver);
    const manifests = await loadOrCreateManifestSigner(path.join(config.home, 'vault', 'manifest-signer.pem'));
    const blobs = await FsBlobStore.open(path.join(config.home, 'blobs'), this.#clock);
    const datasets = new Datasets({ store, blobs, providers: [manager.provider], signer: manifests.signer, verifiers: [manifests.verifier], audit: this.#ledger, clock: this.#clock });
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
    const linkageStore = new SqlLinkageStore(driver);
    let linkageVault: LinkageVault | undefined;
    // Opened on first use: the vault may be created after the server started (a deid run on PostgreSQL).
    const linkage = async (): Promise<LinkageVault | undefined> => (linkageVault ??= await LinkageVault.openExisting({ store: linkageStore, provider: manager.provider, audit: this.#ledger, clock: this.#clock, ...linkageVaultTimes(config.linkage) }));
    this.#keyed = {
      keys,
      linkage,
      datasets: (work) => work(datasets),
      catalog: {
        get: async (id) => {
          const record = (await datasets.list()).find((d) => d.id === id);
          if (record === undefined) return undefined;
          const latest = (await datasets.versions(id)).at(-1);
          // records: files of the newest version (its blobs less the sealed file index).
          return { id, version: latest?.version ?? 0, sealedBy: [record.keyId], records: latest === undefined ? 0 : Math.max(0, latest.blobs.length - 1) };
        },
      },
      close: async () => {
        await store.close();
        manager.close();
      },
    };
    this.#state = 'open';
    const keyed = this.#keyed;
    for (const listener of this.#onOpen.splice(0)) await listener(keyed).catch(() => undefined);
  }
}
