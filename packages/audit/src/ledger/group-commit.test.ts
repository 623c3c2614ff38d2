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

  it('pipelines: hands the next batch to commit while one commits, never more than maxInFlight (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 60 }),
        async (maxBatchSize, maxInFlight, minPipelinedBatch, failPattern, gaps) => {
          const committed: number[] = [];
          const started: number[] = [];
          let running = 0;
          let maxRunning = 0;
          let batchNo = 0;
          const group = new GroupCommit<number, number>({
            maxBatchSize,
            maxBatchDelayMs: 0,
            maxInFlight,
            minPipelinedBatch,
            commit: async (items) => {
              started.push(...items);
              running += 1;
              maxRunning = Math.max(maxRunning, running);
              const fail = failPattern[batchNo++ % failPattern.length] === true;
              for (let i = 0; i < 1 + (items[0] ?? 0) % 3; i++) await Promise.resolve();
              running -= 1;
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
          expect(maxRunning).toBeLessThanOrEqual(maxInFlight);
          // Handed over in submission order, each item once; callers settle with their batch.
          expect(started).toEqual(gaps.map((_, i) => i));
          const ok = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
          expect([...committed].sort((a, b) => a - b)).toEqual(ok);
          settled.forEach((s, i) => {
            if (s.status === 'fulfilled') expect(s.value).toBe(i);
          });
          expect(group.inFlight).toBe(0);
          expect(group.pending).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lets the queue grow while a batch commits until minPipelinedBatch wait, and splits a large idle queue', async () => {
    const sizes: number[] = [];
    const gates: (() => void)[] = [];
    const group = new GroupCommit<number, number>({
      maxBatchSize: 100,
      maxBatchDelayMs: 0,
      maxInFlight: 2,
      minPipelinedBatch: 4,
      commit: async (items) => {
        sizes.push(items.length);
        await new Promise<void>((r) => gates.push(r));
        return items;
      },
    });
    const first = Array.from({ length: 10 }, (_, i) => group.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([5, 5]); // idle pipeline, 10 waiting: two batches of 5
    gates.shift()?.();
    await Promise.all(first.slice(0, 5));
    const second = [group.submit(10), group.submit(11), group.submit(12)];
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([5, 5]); // 3 < minPipelinedBatch with a batch in flight: they wait
    const third = [group.submit(13)];
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([5, 5, 4]); // now 4 wait: the free slot takes them
    gates.shift()?.();
    gates.shift()?.();
    expect(await Promise.all([...first, ...second, ...third])).toEqual(Array.from({ length: 14 }, (_, i) => i));
  });
  it('without a delay, starts an idle queue on the next turn and the next batch the moment a commit returns', async () => {
    // The ledger default (maxBatchDelayMs 0): no timer anywhere on the path, so a request waits
    // for at most the commit in flight and its own (docs/audit.md, "How a group commit runs").
    const sizes: number[] = [];
    const gates: (() => void)[] = [];
    const group = new GroupCommit<number, number>({
      maxBatchSize: 100,
      maxBatchDelayMs: 0,
      commit: async (items) => {
        sizes.push(items.length);
        await new Promise<void>((r) => gates.push(r));
        return items;
      },
    });
    const lone = group.submit(0);
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([1]); // alone on an idle ledger: started at once, not after a timer
    const during = [1, 2, 3].map((i) => group.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([1]); // they wait for the commit in flight...
    gates.shift()?.();
    expect(await lone).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([1, 3]); // ...and share the next one, started when it returned
    gates.shift()?.();
    expect(await Promise.all(during)).toEqual([1, 2, 3]);
  });
});
