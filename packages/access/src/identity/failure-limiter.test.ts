import { ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter.ts';

it('blocks a key after max failures within the window, and only that key, until the window passes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 50 }), (max, failures) => {
      const clock = new ManualClock(0);
      const limiter = new FailureLimiter(clock, { max, windowMs: 60_000 });
      for (let i = 0; i < failures; i++) limiter.fail('10.0.0.1');
      expect(limiter.blocked('10.0.0.1')).toBe(failures >= max);
      expect(limiter.blocked('10.0.0.2')).toBe(false);
      clock.advance(60_000);
      expect(limiter.blocked('10.0.0.1')).toBe(false);
    }),
    { numRuns: 200 },
  );
});
