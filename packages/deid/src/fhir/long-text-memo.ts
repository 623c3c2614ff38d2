/**
 * Results for long texts (notes), per owner (a patient's memo), bounded by the characters held,
 * oldest dropped first: a note often comes twice in a run (a DiagnosticReport's presentedForm and
 * the DocumentReference of the same encounter) and costs a full text pass each time otherwise.
 * Memory only, never written; dropped with the de-identifier.
 */
export class LongTextMemo {
  readonly #maxChars: number;
  #chars = 0;
  readonly #byOwner = new WeakMap<object, Map<string, string>>();
  /** Insertion order, for eviction; `#head` is the oldest entry still counted. */
  readonly #order: { readonly owner: Map<string, string>; readonly text: string; readonly size: number }[] = [];
  #head = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  get(owner: object, text: string): string | undefined {
    return this.#byOwner.get(owner)?.get(text);
  }

  set(owner: object, text: string, result: string): void {
    const size = text.length + result.length;
    if (size > this.#maxChars) return;
    let map = this.#byOwner.get(owner);
    if (map === undefined) this.#byOwner.set(owner, (map = new Map<string, string>()));
    if (map.has(text)) return;
    map.set(text, result);
    this.#order.push({ owner: map, text, size });
    this.#chars += size;
    while (this.#chars > this.#maxChars && this.#head < this.#order.length) {
      const old = this.#order[this.#head];
      this.#head++;
      if (old === undefined) break;
      old.owner.delete(old.text);
      this.#chars -= old.size;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
