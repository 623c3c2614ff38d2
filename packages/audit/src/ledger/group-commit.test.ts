import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';
import { LedgerError } from './ledger-error.ts';

describe('GroupCommit', () => {
  it('batches concurrent submissions, keeps order, and settles each caller after its commit', async () => {
    const committed: number[][] = [];
    const group = new GroupCommit<number, string>({
      maxBatchSize: 4,
      maxBatchDelayMs: 0,
      commit: async (items) => {
        await new Promise((r) => setTimeout(r, 2));
        committed.push([...items]);
        return items.map((i) => `ok-${String(i)}`);
      },
    });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => group.submit(i)));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => `ok-${String(i)}`));
    expect(committed.flat()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(committed.every((b) => b.length <= 4)).toBe(true);
    expect(committed.length).toBe(3);
  });

  it('rejects every caller of a failed batch and only them', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>({
      maxBatchSize: 2,
      maxBatchDelayMs: 0,
      commit: (items) => {
        calls += 1;
        return calls === 2 ? Promise.reject(new Error('disk full')) : Promise.resolve(items);
      },
    });
    const settled = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => group.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
  });

  it('drains on close and refuses later submissions', async () => {
    const seen: number[] = [];
    const group = new GroupCommit<number, number>({
      maxBatchSize: 100,
      maxBatchDelayMs: 10_000,
      commit: (items) => {
        seen.push(...items);
        return Promise.resolve(items);
      },
    });
    const pending = [group.submit(1), group.submit(2)];
    await group.close();
    expect(await Promise.all(pending)).toEqual([1, 2]);
    expect(seen).toEqual([1, 2]);
    await expect(group.submit(3)).rejects.toBeInstanceOf(LedgerError);
  });

  it('never loses, duplicates or reorders an item, whatever the batch sizes and failures (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 40 }),
        async (maxBatchSize, failPattern, gaps) => {
          const committed: number[] = [];
          let batchNo = 0;
          const group = new GroupCommit<number, number>({
            maxBatchSize,
            maxBatchDelayMs: 0,
            commit: async (items) => {
              await Promise.resolve();
              const fail = failPattern[batchNo++ % failPattern.length] === true;
              if (fail) throw new Error('x');
              committed.push(...items);
              return items;
            },
          });
          const promises: Promise<number>[] = [];
          for (const [i, gap] of gaps.entries()) {
            promises.push(group.submit(i));
            for (let g = 0; g < gap; g++) await Promise.resolve();
          }
          const settled = await Promise.allSettled(promises);
          const ok = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
          expect(committed).toEqual(ok);
          settled.forEach((s, i) => {
            if (s.status === 'fulfilled') expect(s.value).toBe(i);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
