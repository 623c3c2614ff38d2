import { describe, expect, it } from 'vitest';
import type { NonceStore } from '../attestation/nonce-store.ts';

/** The NonceStore contract (fresh once, then replayed; unknown; expired), for the SQL store on each backend. */
export function describeNonceStoreContract(name: string, open: (ttlMs: number) => Promise<{ store: NonceStore; close(): Promise<void> }>): void {
  describe(`SqlNonceStore (${name})`, () => {
    it('a nonce is fresh once, then replayed; unknown and expired nonces are refused; racing presentations spend it once', async () => {
      const opened = await open(1000);
      const store = opened.store;
      try {
        const t0 = new Date('2026-11-24T00:00:00Z');
        const a = await store.issue(t0);
        expect(a).toHaveLength(32);
        expect(await store.consume(a, new Date(t0.getTime() + 1000))).toBe('fresh');
        expect(await store.consume(a, t0)).toBe('replayed');
        expect(await store.consume(new Uint8Array(32).fill(9), t0)).toBe('unknown');
        const b = await store.issue(t0);
        expect(await store.consume(b, new Date(t0.getTime() + 1001))).toBe('expired');
        const c = await store.issue(t0);
        const race = await Promise.all(Array.from({ length: 6 }, () => store.consume(c, t0)));
        expect(race.filter((u) => u === 'fresh')).toHaveLength(1);
        expect(race.filter((u) => u === 'replayed')).toHaveLength(5);
      } finally {
        await opened.close();
      }
    });
  });
}
