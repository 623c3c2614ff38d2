import path from 'node:path';
import type { AuditRecorder } from '@phiguard/audit';
import { systemClock, type PhiguardConfig } from '@phiguard/core';
import { openKeyManager } from '@phiguard/keys';
import { LinkageVault, SqlLinkageStore, openVaultDatabase } from '@phiguard/vault';
import type { CliContext } from '../context.ts';
import { keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';
import { BatchError } from './batch-error.ts';

export { withLinkageOptions } from './deid-options.ts';

/** Options of the formats that can write `encrypt` tokens into the linkage vault (FHIR, HL7 v2). */
export interface LinkageOptions {
  readonly linkageKey?: string;
  readonly keystoreKeyFile?: string;
}

/** An open linkage vault and what to close after the run. */
export interface OpenLinkage {
  readonly vault: LinkageVault;
  close(): Promise<void>;
}

/**
 * Opens the linkage vault (docs/vault.md "Linkage vault") the way `phiguard datasets` opens the
 * vault: the local keystore (PHIGUARD_KEYS_PASSPHRASE or `--keystore-key-file`), the vault
 * database (`<home>/vault-db` PGlite or the configured PostgreSQL), the audit ledger.
 */
export async function openLinkage(config: PhiguardConfig, ctx: Pick<CliContext, 'cwd' | 'env'>, options: LinkageOptions, audit: AuditRecorder): Promise<OpenLinkage> {
  const keyId = options.linkageKey;
  if (keyId === undefined) {
    throw new BatchError('bad-option', 'the profile encrypts values into the linkage vault, but no vault key was named', {
      place: { field: '--linkage-key' },
      hint: 'pass --linkage-key KEY_ID (a keystore key used only for linkage; see phiguard keys create)',
    });
  }
  const manager = await openKeyManager({ file: keystoreFile(config.home), unlock: keystoreUnlock(options.keystoreKeyFile, ctx), audit, clock: systemClock });
  try {
    const driver = await openVaultDatabase(
      config.database.kind === 'pglite' ? { kind: 'pglite', dataDir: path.join(config.home, 'vault-db') } : { kind: 'postgres', url: config.database.url },
    );
    try {
      const vault = await LinkageVault.open({ store: new SqlLinkageStore(driver), provider: manager.provider, keyId, audit, clock: systemClock });
      return {
        vault,
        close: async () => {
          await driver.close();
          manager.close();
        },
      };
    } catch (error) {
      await driver.close();
      throw error;
    }
  } catch (error) {
    manager.close();
    throw error;
  }
}
