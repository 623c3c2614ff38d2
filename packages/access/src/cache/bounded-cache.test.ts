import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.ts';

describe('BoundedCache', () => {
  it('behaves like a map with expiry, within its bound (model check)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(9), value: fc.nat(), ttl: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(9) }),
      fc.record({ kind: fc.constant('invalidate' as const), key: fc.nat(9) }),
      fc.record({ kind: fc.constant('tick' as const), by: fc.integer({ min: 1, max: 10 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (ops, max) => {
      const cache = new BoundedCache<number, number>(max);
      const model = new Map<number, { value: number; expiresMs: number }>();
      let now = 0;
      for (const o of ops) {
        if (o.kind === 'set') {
          cache.set(o.key, o.value, now + o.ttl);
          model.set(o.key, { value: o.value, expiresMs: now + o.ttl });
        } else if (o.kind === 'get') {
          const got = cache.get(o.key, now);
          const want = model.get(o.key);
          // The cache may have evicted an entry to stay in bound, never kept a stale or expired one.
          if (got !== undefined) expect(want !== undefined && now < want.expiresMs && want.value === got).toBe(true);
        } else if (o.kind === 'invalidate') {
          cache.invalidate(o.key);
          model.delete(o.key);
        } else {
          now += o.by;
        }
        expect(cache.size).toBeLessThanOrEqual(max);
      }
    }));
  });

  it('does not store a load that an invalidation overtook (a write racing a read)', async () => {
    const cache = new BoundedCache<string, string>(10);
    let release: (v: string) => void = () => undefined;
    const slow = cache.getOrLoad('k', 0, () => new Promise<string>((resolve) => { release = resolve; }), () => 100);
    cache.invalidate('k');
    release('old row');
    expect(await slow).toBe('old row');
    expect(cache.get('k', 1)).toBeUndefined();
    expect(await cache.getOrLoad('k', 1, () => Promise.resolve('new row'), () => 100)).toBe('new row');
    expect(cache.get('k', 2)).toBe('new row');
  });

  it('shares one load between concurrent misses and forgets everything on clear', async () => {
    const cache = new BoundedCache<string, number>(10);
    let loads = 0;
    const load = (): Promise<number> => new Promise((resolve) => setTimeout(() => { resolve(++loads); }, 5));
    const answers = await Promise.all([cache.getOrLoad('k', 0, load, () => 10), cache.getOrLoad('k', 0, load, () => 10)]);
    expect(answers).toEqual([1, 1]);
    expect(cache.get('k', 9)).toBe(1);
    expect(cache.get('k', 10)).toBeUndefined();
    cache.set('a', 5, 100);
    cache.clear();
    expect(cache.get('a', 0)).toBeUndefined();
  });

  it('never evicts a key hit at least once every max/2 insertions; evicts the least recently inserted', () => {
    const cache = new BoundedCache<string, number>(8);
    cache.set('hot', 0, 1e9);
    for (let i = 0; i < 100; i++) {
      cache.set(`k${String(i)}`, i, 1e9);
      if (i % 4 === 3) expect(cache.get('hot', 0)).toBe(0);
      expect(cache.size).toBeLessThanOrEqual(8);
    }
    expect(cache.get('k99', 0)).toBe(99);
    expect(cache.get('k80', 0)).toBeUndefined();
  });
});
