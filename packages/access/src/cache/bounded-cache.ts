interface Entry<V> {
  readonly value: V;
  readonly expiresMs: number;
  /** The insertion count when the entry was (re-)inserted. */
  tick: number;
}

/**
 * A small bounded map with per-entry expiry and load-through that is safe against a write racing a
 * read: {@link invalidate} bumps the key's generation, and a load that started before it does not
 * store its (possibly stale) answer. Least recently inserted entries go first when full (a Map
 * keeps insertion order). A hit re-inserts its entry only once half the capacity was inserted
 * after it (a Map delete and set per hit cost as much as the rest of an authorized request's
 * look-ups), so an entry hit at least that often is never evicted.
 */
export class BoundedCache<K, V> {
  readonly #max: number;
  readonly #entries = new Map<K, Entry<V>>();
  /** Insertions so far (sets and re-insertions). */
  #tick = 0;
  readonly #inflight = new Map<K, { readonly generation: number; readonly promise: Promise<V> }>();
  readonly #generations = new Map<K, number>();
  #epoch = 0;

  constructor(max: number) {
    if (!(Number.isInteger(max) && max > 0)) throw new TypeError('BoundedCache max must be a positive integer');
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value when present and `nowMs` is before its expiry; refreshes its place. */
  get(key: K, nowMs: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.expiresMs) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.#tick - entry.tick >= this.#max / 2) {
      this.#entries.delete(key);
      entry.tick = ++this.#tick;
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: K, value: V, expiresMs: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresMs, tick: ++this.#tick });
  }

  /**
   * The cached value, or `load()`'s, stored until `expiresMs(value)` unless the key was
   * invalidated while loading. Concurrent misses for one key share one load.
   */
  async getOrLoad(key: K, nowMs: number, load: () => Promise<V>, expiresMs: (value: V) => number): Promise<V> {
    const hit = this.get(key, nowMs);
    if (hit !== undefined) return hit;
    const generation = this.#generationOf(key);
    const pending = this.#inflight.get(key);
    if (pending?.generation === generation) return pending.promise;
    const promise = load();
    this.#inflight.set(key, { generation, promise });
    try {
      const value = await promise;
      if (this.#generationOf(key) === generation && value !== undefined) this.set(key, value, expiresMs(value));
      return value;
    } finally {
      if (this.#inflight.get(key)?.promise === promise) this.#inflight.delete(key);
    }
  }

  /** Forgets the key; a load in flight for it will not store its answer. */
  invalidate(key: K): void {
    this.#entries.delete(key);
    this.#inflight.delete(key);
    this.#generations.set(key, (this.#generations.get(key) ?? 0) + 1);
    if (this.#generations.size > this.#max * 4) {
      // Generations only matter for loads in flight: resetting them all moves the epoch instead.
      this.#generations.clear();
      this.#epoch++;
    }
  }

  /** Forgets everything; loads in flight will not store their answers. */
  clear(): void {
    this.#entries.clear();
    this.#inflight.clear();
    this.#generations.clear();
    this.#epoch++;
  }

  #generationOf(key: K): number {
    return this.#epoch * 2 ** 26 + (this.#generations.get(key) ?? 0);
  }
}
