import type { Clock, PhiguardConfig } from '@phiguard/core';
import { openConfiguredLedgerStore } from '../store/open-ledger-store.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import { Ledger } from './ledger.ts';
import type { CheckpointSigner } from './checkpoint-signer.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

export interface OpenLedgerOptions {
  readonly config: Pick<PhiguardConfig, 'home' | 'database' | 'ledger'>;
  readonly clock: Clock;
  /** A store to use instead of the configured one (it is closed with the ledger). */
  readonly store?: LedgerStore;
  /** A signer to use instead of `<home>/ledger-signer.key` (rotation hand-over). */
  readonly signer?: CheckpointSigner;
}

/**
 * The composition used by the CLI and the server: the configured store (embedded PGlite folder
 * by default), the signer key under the data home (created on first use), the batching limits
 * and origin of `config.ledger`.
 */
export async function openLedger(options: OpenLedgerOptions): Promise<Ledger> {
  const { config } = options;
  const signer = options.signer ?? checkpointSigner(loadOrCreateSignerKeys(config.home, config.ledger.origin));
  const store = options.store ?? (await openConfiguredLedgerStore(config.database));
  try {
    return await Ledger.open({
      store,
      signer,
      clock: options.clock,
      origin: config.ledger.origin,
      maxBatchSize: config.ledger.maxBatchSize,
      maxBatchDelayMs: config.ledger.maxBatchDelayMs,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
}
