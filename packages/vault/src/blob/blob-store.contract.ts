import { createHash } from 'node:crypto';
import { ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.ts';

export interface OpenedBlobStore {
  readonly store: BlobStore;
  /** Replaces the stored bytes behind the store's back (a disk or bucket attacker). */
  readonly tamper: (hash: string, bytes: Buffer) => Promise<void>;
  readonly close: () => Promise<void>;
}

export interface BlobStoreHarness {
  open(clock: ManualClock): Promise<OpenedBlobStore>;
  /** False where the server cannot keep Object Lock state (s3rver): lock tests are skipped. */
  readonly locks: boolean;
}

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The BlobStore contract (blob-store.ts), run over every implementation. */
export function describeBlobStoreContract(name: string, harness: BlobStoreHarness): void {
  describe(`BlobStore contract: ${name}`, () => {
    let clock: ManualClock;
    let opened: OpenedBlobStore;
    let store: BlobStore;
    beforeEach(async () => {
      clock = new ManualClock(T0);
      opened = await harness.open(clock);
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('get(put(x)) = x for random contents and chunkings; the address is the SHA-256 of the bytes', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 70_000 }), fc.integer({ min: 1, max: 20_000 }), async (bytes, chunk) => {
          const put = await store.put(chunked(bytes, chunk));
          expect(put.hash).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
          expect(put.size).toBe(bytes.length);
          expect((await collect(store.get(put.hash))).equals(Buffer.from(bytes))).toBe(true);
          expect((await store.stat(put.hash))?.size).toBe(bytes.length);
        }),
        { numRuns: 40 },
      );
    });

    it('never overwrites: a second put of the same bytes reports created=false and the blob is listed once', async () => {
      const bytes = Buffer.from('sealed bytes, twice');
      const first = await store.put([bytes]);
      const second = await store.put([bytes]);
      expect(first.created).toBe(true);
      expect(second).toEqual({ ...first, created: false });
      const listed: string[] = [];
      for await (const hash of store.list()) listed.push(hash);
      expect(listed.filter((h) => h === first.hash)).toHaveLength(1);
    });

    it('unknown addresses: stat is undefined, get fails with not-found, delete says not-found', async () => {
      const hash = `sha256:${'0'.repeat(64)}`;
      expect(await store.stat(hash)).toBeUndefined();
      await expect(collect(store.get(hash))).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.delete(hash)).toEqual({ ok: false, reason: 'not-found' });
    });

    it('detects any change of the stored bytes (blob-corrupt at the end of the stream)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (bytes, at, xor) => {
          const put = await store.put([bytes]);
          const changed = Buffer.from(bytes);
          const index = at % changed.length;
          changed[index] = (changed[index] ?? 0) ^ xor;
          await opened.tamper(put.hash, changed);
          await expect(collect(store.get(put.hash))).rejects.toMatchObject({ code: 'blob-corrupt' });
          await opened.tamper(put.hash, Buffer.from(bytes));
        }),
        { numRuns: 25 },
      );
    });

    it('deletes an unlocked blob', async () => {
      const put = await store.put([Buffer.from('short-lived')]);
      expect(await store.delete(put.hash)).toEqual({ ok: true });
      expect(await store.stat(put.hash)).toBeUndefined();
    });

    it.runIf(harness.locks)('retention: no delete before the date, by anyone; allowed after', async () => {
      const put = await store.put([Buffer.from('retained')], { retainUntilMs: T0 + 30 * DAY });
      expect((await store.stat(put.hash))?.lock).toEqual({ retainUntilMs: T0 + 30 * DAY, legalHold: false });
      clock.set(T0 + 30 * DAY - 1);
      expect(await store.delete(put.hash)).toEqual({ ok: false, reason: 'retained' });
      expect((await collect(store.get(put.hash))).toString()).toBe('retained');
      clock.set(T0 + 30 * DAY);
      expect(await store.delete(put.hash)).toEqual({ ok: true });
    });

    it.runIf(harness.locks)('retention only moves later; a re-put extends but never shortens it', async () => {
      const put = await store.put([Buffer.from('x')], { retainUntilMs: T0 + 10 * DAY });
      await expect(store.setRetention(put.hash, T0 + DAY)).rejects.toMatchObject({ code: 'retention-shortened' });
      await store.put([Buffer.from('x')], { retainUntilMs: T0 + 5 * DAY });
      expect((await store.stat(put.hash))?.lock.retainUntilMs).toBe(T0 + 10 * DAY);
      expect((await store.setRetention(put.hash, T0 + 20 * DAY)).retainUntilMs).toBe(T0 + 20 * DAY);
      clock.set(T0 + 15 * DAY);
      expect(await store.delete(put.hash)).toEqual({ ok: false, reason: 'retained' });
    });

    it.runIf(harness.locks)('legal hold: no delete while held, even after retention; release allows it', async () => {
      const put = await store.put([Buffer.from('held')], { retainUntilMs: T0 + DAY, legalHold: true });
      clock.set(T0 + 100 * DAY);
      expect(await store.delete(put.hash)).toEqual({ ok: false, reason: 'legal-hold' });
      await store.setLegalHold(put.hash, false);
      expect(await store.delete(put.hash)).toEqual({ ok: true });
      const other = await store.put([Buffer.from('held later')]);
      await store.setLegalHold(other.hash, true);
      expect(await store.delete(other.hash)).toEqual({ ok: false, reason: 'legal-hold' });
    });
  });
}
