import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from './clock.ts';
import { encodeBase32, isId, newId } from './ids.ts';

describe('ids', () => {
  it('are prefixed, sortable by time and recognisable', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const a = newId('ds', clock);
    clock.advance(1);
    const b = newId('ds', clock);
    expect(a).toMatch(/^ds_[0-9a-z]{26}$/);
    expect(a < b).toBe(true);
    expect(isId('ds', a)).toBe(true);
    expect(isId('job', a)).toBe(false);
    expect(isId('ds', 'ds_x')).toBe(false);
  });

  it('do not collide', () => {
    const clock = new ManualClock(5);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(newId('x', clock));
    expect(seen.size).toBe(10_000);
  });

  it('refuse bad prefixes and clocks', () => {
    expect(() => newId('Bad', new ManualClock(0))).toThrow(TypeError);
    expect(() => newId('ok', new ManualClock(-1))).toThrow(TypeError);
  });

  it('base32 keeps byte order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), fc.uint8Array({ minLength: 10, maxLength: 10 }), (x, y) => {
        const byBytes = Buffer.compare(Buffer.from(x), Buffer.from(y));
        const a = encodeBase32(x);
        const b = encodeBase32(y);
        const byText = a < b ? -1 : a > b ? 1 : 0;
        expect(byText).toBe(byBytes);
      }),
    );
  });
});
