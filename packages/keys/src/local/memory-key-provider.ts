import { randomBytes } from 'node:crypto';
import { emptyState, type KeystoreState } from './keystore-state.ts';
import { LocalKeyProvider } from './local-key-provider.ts';

/**
 * An ephemeral local provider whose KEKs live only in memory: for tests and throwaway work
 * (vault tests, benchmarks). Nothing is persisted or audited; use `initKeystore` for real keys.
 */
export function createMemoryKeyProvider(keyIds: readonly string[], nowMs = 0): { provider: LocalKeyProvider; rotate: (keyId: string) => number } {
  const state: KeystoreState = emptyState([], 0);
  for (const keyId of keyIds) {
    state.keys.set(keyId, { keyId, createdAtMs: nowMs, state: 'enabled', minDecryptVersion: 1, rotationPeriodMs: null, versions: [{ version: 1, createdAtMs: nowMs, material: material() }] });
  }
  return {
    provider: new LocalKeyProvider(() => state),
    rotate: (keyId) => {
      const record = state.keys.get(keyId);
      if (record === undefined) throw new TypeError('unknown key id');
      const version = (record.versions.at(-1)?.version ?? 0) + 1;
      record.versions.push({ version, createdAtMs: nowMs, material: material() });
      return version;
    },
  };
}

function material(): Buffer {
  const out = Buffer.alloc(32);
  randomBytes(32).copy(out);
  return out;
}
