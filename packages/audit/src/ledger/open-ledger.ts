import type { Clock, PhiguardConfig } from '@phiguard/core';
import { openConfiguredLedgerStore } from '../store/open-ledger-store.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import { Ledger } from './ledger.ts';
import { checkpointSigner, loadOrCreateSignerKeys, type SignerKeys } from './signer-key-file.ts';

export interface OpenLedgerOptions {
  readonly config: Pick<PhiguardConfig, 'home' | 'database' | 'ledger'>;
  readonly clock: Clock;
  /** A store to use instead of the configured one (it is closed with the ledger). */
  readonly store?: LedgerStore;
  /** Keys to sign with instead of `<home>/ledger-signer.key` (rotation hand-over). */
  readonly keys?: SignerKeys;
}

/**
 * The composition used by the CLI and the server: the configured store (embedded PGlite folder
 * by default), the signer key under the data home (created on first use), the batching limits
 * and origin of `config.ledger`.
 */
export async function openLedger(options: OpenLedgerOptions): Promise<Ledger> {
  const { config } = options;
  const keys = options.keys ?? loadOrCreateSignerKeys(config.home, config.ledger.origin);
  const store = options.store ?? (await openConfiguredLedgerStore(config.database));
  try {
    return await Ledger.open({
      store,
      signer: checkpointSigner(keys),
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
