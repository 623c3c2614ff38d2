import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LongTextMemo } from './long-text-memo.ts';

describe('LongTextMemo', () => {
  it('answers per owner and drops the oldest entries past its character bound', () => {
    const memo = new LongTextMemo(30);
    const a = {};
    const b = {};
    memo.set(a, 'aaaaa', '11111');
    memo.set(b, 'aaaaa', '22222');
    expect(memo.get(a, 'aaaaa')).toBe('11111');
    expect(memo.get(b, 'aaaaa')).toBe('22222');
    memo.set(a, 'bbbbbbbbbb', 'cccccccccc'); // 20 more: 40 > 30, the oldest goes
    expect(memo.get(a, 'aaaaa')).toBeUndefined();
    expect(memo.get(b, 'aaaaa')).toBe('22222');
    expect(memo.get(a, 'bbbbbbbbbb')).toBe('cccccccccc');
    memo.set(a, 'x'.repeat(40), 'y'); // larger than the bound: not kept
    expect(memo.get(a, 'x'.repeat(40))).toBeUndefined();
  });

  it('property: holds at most its bound, and every answer is the last one stored', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })), { maxLength: 200 }), (ops) => {
        const owners = [{}, {}, {}];
        const memo = new LongTextMemo(50);
        const stored = new Map<string, string>();
        for (const [o, text, result] of ops) {
          const owner = owners[o] ?? {};
          const before = memo.get(owner, text);
          memo.set(owner, text, result);
          if (before === undefined && text.length + result.length <= 50) stored.set(`${String(o)}\0${text}`, result);
        }
        let held = 0;
        for (const [k, v] of stored) {
          const [o, text] = k.split('\0') as [string, string];
          const got = memo.get(owners[Number(o)] ?? {}, text);
          if (got !== undefined) {
            expect(got).toBe(v);
            held += text.length + got.length;
          }
        }
        expect(held).toBeLessThanOrEqual(50);
      }),
      { numRuns: 300 },
    );
  });
});
