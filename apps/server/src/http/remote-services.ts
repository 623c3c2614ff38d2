import type { LedgerStore, NoteVerifier } from '@phiguard/audit';
import type { KeyManager } from '@phiguard/keys';
import type { Datasets } from '@phiguard/vault';
import type { KeystoreAdmin } from './keystore-admin.ts';

/**
 * The services behind the remote-command routes (`phiguard … --server URL`): the same ledger,
 * keystore and vault the local commands use, opened once by the composition root (`phiguard serve`).
 * Each is optional: a route whose service is absent answers 503 `not-configured`.
 */
export interface RemoteServices {
  /** The audit ledger's store (tiles, entries, checkpoints, search) and the keys that verify its checkpoints. */
  readonly audit?: { readonly store: LedgerStore; readonly verifiers: readonly NoteVerifier[]; readonly verifierKey: string };
  /** Runs `work` with the unlocked keystore, one at a time (the keystore file is rewritten on each change). Appears after a remote init/recover. */
  readonly keys?: (<T>(work: (manager: KeyManager) => Promise<T>) => Promise<T>) | undefined;
  /** The keystore's own lifecycle while the server runs (`keys init|recover --server`). */
  readonly keystore?: KeystoreAdmin;
  /** De-identification with the server's key and built-in profiles (one file per call). */
  readonly deid?: DeidService;
  /** Runs `work` with the sealed datasets (vault metadata, blob store, the keystore's provider). */
  readonly datasets?: (<T>(work: (datasets: Datasets) => Promise<T>) => Promise<T>) | undefined;
}

/** One problem of a de-identified file: a code, a message naming kinds and places, the place. */
export interface DeidProblem {
  readonly code: string;
  readonly message: string;
  readonly place: Readonly<Record<string, string | number>>;
}

/** What de-identifying one file gave: the output and its counts (never the values it changed). */
export type DeidFileAnswer =
  | { readonly ok: true; readonly output: Uint8Array; readonly records: number; readonly tally: readonly { readonly category: string; readonly rule: string; readonly n: number }[]; readonly problems: readonly DeidProblem[] }
  | { readonly ok: false; readonly problem: DeidProblem };

/** The de-identification behind `phiguard deid <format> … --server URL` (built by the composition root). */
export interface DeidService {
  readonly formats: readonly string[];
  /** A built-in profile's identity and the id of the key that pseudonymizes (undefined: unknown profile). */
  profile(name: string): { readonly id: string; readonly version: string; readonly hash: string; readonly keyId: string } | undefined;
  process(format: string, profile: string, relative: string, input: Uint8Array): Promise<DeidFileAnswer>;
}
