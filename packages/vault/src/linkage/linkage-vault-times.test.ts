import { LINKAGE_CONFIG_BOUNDS } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPEN_TTL_MS, DEFAULT_REVEAL_WINDOW_MS } from './linkage-vault.ts';
import { linkageVaultTimes } from './linkage-vault-times.ts';

describe('linkageVaultTimes', () => {
  it('maps the config section onto the vault options; settings left out keep the defaults', () => {
    expect(linkageVaultTimes(undefined)).toEqual({});
    expect(linkageVaultTimes({})).toEqual({});
    expect(linkageVaultTimes({ openTtlMs: 3_600_000 })).toEqual({ openTtlMs: 3_600_000 });
    expect(linkageVaultTimes({ openTtlMs: 3_600_000, revealWindowMs: 600_000 })).toEqual({ openTtlMs: 3_600_000, requestTtlMs: 600_000 });
  });

  it('the vault defaults lie within the config bounds', () => {
    const { openTtlMs, revealWindowMs } = LINKAGE_CONFIG_BOUNDS;
    expect(DEFAULT_OPEN_TTL_MS).toBeGreaterThanOrEqual(openTtlMs.min);
    expect(DEFAULT_OPEN_TTL_MS).toBeLessThanOrEqual(openTtlMs.max);
    expect(DEFAULT_REVEAL_WINDOW_MS).toBeGreaterThanOrEqual(revealWindowMs.min);
    expect(DEFAULT_REVEAL_WINDOW_MS).toBeLessThanOrEqual(revealWindowMs.max);
  });
});
