import type { LinkageConfig } from '@phiguard/core';
import type { LinkageVaultOptions } from './linkage-vault.ts';

/**
 * The vault's time limits from the config's `linkage` section (validated and bounded by
 * `loadConfig`): `openTtlMs` as it is, `revealWindowMs` as `requestTtlMs`. Settings left out
 * keep the vault's defaults.
 */
export function linkageVaultTimes(section: LinkageConfig | undefined): Pick<LinkageVaultOptions, 'openTtlMs' | 'requestTtlMs'> {
  return {
    ...(section?.openTtlMs === undefined ? {} : { openTtlMs: section.openTtlMs }),
    ...(section?.revealWindowMs === undefined ? {} : { requestTtlMs: section.revealWindowMs }),
  };
}
