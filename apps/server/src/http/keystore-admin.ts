/**
 * Where the server's keystore stands: `open` (key and dataset routes served), `absent` (no keystore
 * file yet: custodians may initialise it), `locked` (the server was started in recovery mode: its
 * unlock secret does not open the keystore, custodians submit shares), `no-secret` (no
 * passphrase or key file configured: nothing can be created or opened).
 */
export type KeystoreStatus = 'open' | 'absent' | 'locked' | 'no-secret';

/** Recovery in progress: shares needed, shares held in memory, when they are dropped. */
export interface RecoveryProgress {
  readonly threshold: number;
  readonly received: number;
  readonly expiresAtMs: number | undefined;
}

/**
 * `phiguard keys init|recover --server URL` (like `vault operator init` / unseal): the server's own
 * keystore, created or recovered while it runs; the routes serve keys and datasets as soon as it
 * opens. Built by the composition root, which owns the unlock secret (never sent over the wire).
 */
export interface KeystoreAdmin {
  status(): Promise<{ readonly state: KeystoreStatus; readonly recovery?: RecoveryProgress }>;
  /** Creates the keystore under the server's unlock secret; the shares (one per custodian, in order) are returned once and kept nowhere. */
  init(actor: string, custodians: readonly string[], threshold: number): Promise<{ readonly shares: readonly string[]; readonly shareThreshold: number }>;
  /** Holds one custodian's share in memory; with enough shares from different custodians, recovers and opens the keystore. */
  submitShare(actor: string, share: string): Promise<{ readonly received: number; readonly threshold: number; readonly recovered: boolean }>;
}
