/**
 * A bounded map keyed by two strings (a kind or system, then a value), as two levels of `Map`: no
 * `first\0second` key is built, flattened and hashed per look-up (every id and reference of a run
 * comes here). When `max` entries are held, the next insertion starts again empty: a bound on
 * memory, not an LRU order (a value met again is recomputed, with the same result).
 */
export class TwoKeyCache<V> {
  readonly #max: number;
  readonly #outer = new Map<string, Map<string, V>>();
  #size = 0;

  constructor(max: number) {
    this.#max = max;
  }

  get(first: string, second: string): V | undefined {
    return this.#outer.get(first)?.get(second);
  }

  set(first: string, second: string, value: V): void {
    if (this.#size >= this.#max) {
      this.#outer.clear();
      this.#size = 0;
    }
    let inner = this.#outer.get(first);
    if (inner === undefined) this.#outer.set(first, (inner = new Map<string, V>()));
    const before = inner.size;
    inner.set(second, value);
    this.#size += inner.size - before;
  }

  /** Entries held (at most `max`). */
  get size(): number {
    return this.#size;
  }
}
