/**
 * What the ledger needs to sign and check checkpoints (C2SP signed-note). Kept this small so
 * that key management proper (packages/keys, HSMs) can stand behind it later.
 */
export interface CheckpointSigner {
  /** Signs a checkpoint body (C2SP tlog-checkpoint text) and returns the whole signed note. */
  sign(checkpointBody: string): string;
  /** The verifier keys (C2SP vkey) of the current signer(s); recorded in the store. */
  readonly verifierKeys: readonly string[];
}
