import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baaInForce } from './baa.ts';
import { nodePricePerHour } from './price-list.ts';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

describe('baaInForce (HIPAA §164.502(e))', () => {
  const baa = { status: 'signed', effectiveOn: '2026-01-01', expiresOn: '2027-01-01' } as const;
  it('is in force from the effective day up to (not including) the expiry day', () => {
    expect(baaInForce(baa, new Date('2025-12-31T23:59:59.999Z'))).toBe(false);
    expect(baaInForce(baa, new Date('2026-01-01T00:00:00Z'))).toBe(true);
    expect(baaInForce(baa, new Date('2026-12-31T23:59:59.999Z'))).toBe(true);
    expect(baaInForce(baa, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(baaInForce({ status: 'signed', effectiveOn: '2026-01-01' }, new Date('2040-01-01'))).toBe(true);
    expect(baaInForce({ status: 'signed' }, new Date('2026-06-01'))).toBe(false);
  });

  it('never in force when not signed, before it starts or after it ends', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('signed', 'pending', 'none', 'terminated'),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: -10_000, max: 30_000 }),
        (status, startDay, lengthDays, nowDay) => {
          const from = startDay * DAY_MS;
          const until = from + lengthDays * DAY_MS;
          const now = nowDay * DAY_MS + 1;
          const inForce = baaInForce({ status, effectiveOn: day(from), expiresOn: day(until) }, new Date(now));
          expect(inForce).toBe(status === 'signed' && now >= from && now < until);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('nodePricePerHour', () => {
  it('uses the node price, else the machine list price, else per-GPU × count', () => {
    expect(nodePricePerHour({ gpu: { model: 'h100', count: 1, memoryGiB: 80 } })).toBe(2.2);
    expect(nodePricePerHour({ gpu: { model: 'a100-80gb', count: 8, memoryGiB: 80 } })).toBe(11.92);
    expect(nodePricePerHour({ gpu: { model: 'rtx-4090', count: 2, memoryGiB: 24 } })).toBe(0.36);
    expect(nodePricePerHour({ gpu: { model: 'h100', count: 1, memoryGiB: 80 }, pricePerHourUsd: 1.5 })).toBe(1.5);
    expect(nodePricePerHour({ gpu: { model: 'mi300x', count: 1, memoryGiB: 192 } })).toBeUndefined();
    expect(nodePricePerHour({ gpu: { model: 'mi300x', count: 1, memoryGiB: 192 } }, { mi300x: 3 })).toBe(3);
  });
});
