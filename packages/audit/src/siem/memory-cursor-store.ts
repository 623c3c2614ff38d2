import type { CursorStore } from './ship-source.ts';

/** Cursors in memory (lost on restart): for tests and one-shot exports. */
export class MemoryCursorStore implements CursorStore {
  readonly #cursors = new Map<string, number>();

  getCursor(sinkId: string): Promise<number> {
    return Promise.resolve(this.#cursors.get(sinkId) ?? 0);
  }

  setCursor(sinkId: string, next: number): Promise<void> {
    if (!Number.isSafeInteger(next) || next < 0) throw new TypeError('cursor must be a non-negative integer');
    this.#cursors.set(sinkId, next);
    return Promise.resolve();
  }
}
