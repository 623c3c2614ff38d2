import type { LedgerStore, NoteVerifier } from '@phiguard/audit';
import type { KeyManager } from '@phiguard/keys';
import type { Datasets } from '@phiguard/vault';

/**
 * The services behind the remote-command routes (`phiguard … --server URL`): the same ledger,
 * keystore and vault the local commands use, opened once by the composition root (`phiguard serve`).
 * Each is optional: a route whose service is absent answers 503 `not-configured`.
 */
export interface RemoteServices {
  /** The audit ledger's store (tiles, entries, checkpoints, search) and the keys that verify its checkpoints. */
  readonly audit?: { readonly store: LedgerStore; readonly verifiers: readonly NoteVerifier[]; readonly verifierKey: string };
  /** Runs `work` with the unlocked keystore, one at a time (the keystore file is rewritten on each change). */
  readonly keys?: <T>(work: (manager: KeyManager) => Promise<T>) => Promise<T>;
  /** Runs `work` with the sealed datasets (vault metadata, blob store, the keystore's provider). */
  readonly datasets?: <T>(work: (datasets: Datasets) => Promise<T>) => Promise<T>;
}
