import type { LedgerStore, NoteVerifier, PurposeOfUse } from '@phiguard/audit';
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

/** Who asked for a de-identification, for its `deid.run` ledger entry (ids only). */
export interface DeidCaller {
  readonly actor: { readonly kind: 'user' | 'service'; readonly id: string };
  readonly purpose?: PurposeOfUse;
  readonly requestId: string;
}

/** One file to de-identify, streamed: the raw body is read once, as it arrives. */
export interface DeidRequest {
  readonly format: string;
  readonly profile: string;
  /** The file's path relative to the client's input folder (its extension picks the engine). */
  readonly relative: string;
  readonly body: AsyncIterable<Uint8Array>;
  /** The body's size as the client declared it (it picks the engine, so it may start before the body ends); a body of another size fails. */
  readonly bytes?: number;
  readonly caller: DeidCaller;
}

/**
 * The trailer of a de-identified file (the last frame of the answer, deid-frames.ts): counts,
 * problems by place, the input and output hashes and the server's `deid.run` ledger entry — never
 * a value the de-identification changed.
 */
export type DeidFileAnswer =
  | {
      readonly ok: true; readonly records: number; readonly tally: readonly { readonly category: string; readonly rule: string; readonly n: number }[]; readonly problems: readonly DeidProblem[];
      readonly inputSha256: string; readonly inputBytes: number; readonly outputSha256: string; readonly outputBytes: number;
      /** Hash of the one-file manifest the ledger entry binds (`deid-manifest` resource). */
      readonly manifestHash: string; readonly ledgerIndex: number;
    }
  | { readonly ok: false; readonly problem: DeidProblem; readonly manifestHash?: string; readonly ledgerIndex?: number };

/** The de-identification behind `phiguard deid <format> … --server URL` (built by the composition root). */
export interface DeidService {
  readonly formats: readonly string[];
  /** A built-in profile's identity and the id of the key that pseudonymizes (undefined: unknown profile). */
  profile(name: string): { readonly id: string; readonly version: string; readonly hash: string; readonly keyId: string } | undefined;
  /**
   * De-identifies one streamed file: `output` is called with each piece of the result as it is
   * produced (and awaited: back-pressure; the piece may be reused once it resolves); the answer
   * comes last. Memory stays constant.
   */
  process(request: DeidRequest, output: (piece: Uint8Array) => Promise<void>): Promise<DeidFileAnswer>;
}
