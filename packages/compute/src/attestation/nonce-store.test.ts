import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from './nonce-store.ts';

describe('MemoryNonceStore', () => {
  it('a nonce is fresh once, then a replay; unknown and late nonces are refused; expired ones are forgotten', async () => {
    const store = new MemoryNonceStore({ ttlMs: 1000 });
    const t0 = new Date('2026-01-01T00:00:00Z');
    const a = await store.issue(t0);
    expect(a).toHaveLength(32);
    expect(await store.consume(a, new Date(t0.getTime() + 999))).toBe('fresh');
    expect(await store.consume(a, new Date(t0.getTime() + 999))).toBe('replayed');
    expect(await store.consume(new Uint8Array(32), t0)).toBe('unknown');
    const b = await store.issue(t0);
    expect(await store.consume(b, new Date(t0.getTime() + 1001))).toBe('expired');
    await store.issue(new Date(t0.getTime() + 5000));
    expect(store.size).toBe(1);
  });

  it('refuses bad options', () => {
    expect(() => new MemoryNonceStore({ ttlMs: 0 })).toThrow(TypeError);
    expect(() => new MemoryNonceStore({ ttlMs: 10, bytes: 8 })).toThrow(TypeError);
  });

  it('property: however consumptions interleave, each issued nonce is fresh exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 30 }), async (picks) => {
        const store = new MemoryNonceStore({ ttlMs: 60_000 });
        const now = new Date('2026-01-01T00:00:00Z');
        const nonces = await Promise.all([0, 1, 2, 3, 4].map(() => store.issue(now)));
        const fresh = new Map<number, number>();
        for (const p of picks) if ((await store.consume(nonces[p] as Uint8Array, now)) === 'fresh') fresh.set(p, (fresh.get(p) ?? 0) + 1);
        for (const p of new Set(picks)) expect(fresh.get(p)).toBe(1);
      }),
      { numRuns: 100 },
    );
  });
});
