/** One memoized text: its result, and the bucket that holds it (for eviction). */
interface Entry {
  readonly text: string;
  readonly result: string;
  readonly bucket: Entry[];
  readonly owner: Map<number, Entry[]>;
  readonly print: number;
}

/**
 * A cheap fingerprint of a long text: its length and 8 characters spread over it. A Map keyed
 * by the text itself would hash every character of each note (V8 hashes strings up to 16,383
 * characters whole), on every look-up of a text just parsed; with the fingerprint a miss costs
 * nothing more and a hit one comparison (`===`), which stops at the first differing character.
 */
function fingerprint(text: string): number {
  const n = text.length;
  let h = n | 0;
  for (let i = 1; i <= 8; i++) h = (Math.imul(h, 31) + text.charCodeAt(((n * i) >>> 3) - 1)) | 0;
  return h;
}

/**
 * Results for long texts (notes), per owner (a patient's memo), bounded by the characters held,
 * oldest dropped first: a note often comes twice in a run (a DiagnosticReport's presentedForm and
 * the DocumentReference of the same encounter) and costs a full text pass each time otherwise.
 * Memory only, never written; dropped with the de-identifier.
 */
export class LongTextMemo {
  readonly #maxChars: number;
  #chars = 0;
  readonly #byOwner = new WeakMap<object, Map<number, Entry[]>>();
  /** Insertion order, for eviction; `#head` is the oldest entry still counted. */
  readonly #order: Entry[] = [];
  #head = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  get(owner: object, text: string): string | undefined {
    const bucket = this.#byOwner.get(owner)?.get(fingerprint(text));
    if (bucket === undefined) return undefined;
    for (const e of bucket) if (e.text === text) return e.result;
    return undefined;
  }

  set(owner: object, text: string, result: string): void {
    const size = text.length + result.length;
    if (size > this.#maxChars) return;
    let map = this.#byOwner.get(owner);
    if (map === undefined) this.#byOwner.set(owner, (map = new Map<number, Entry[]>()));
    const print = fingerprint(text);
    let bucket = map.get(print);
    if (bucket === undefined) map.set(print, (bucket = []));
    else for (const e of bucket) if (e.text === text) return;
    const entry: Entry = { text, result, bucket, owner: map, print };
    bucket.push(entry);
    this.#order.push(entry);
    this.#chars += size;
    while (this.#chars > this.#maxChars && this.#head < this.#order.length) {
      const old = this.#order[this.#head];
      this.#head++;
      if (old === undefined) break;
      const i = old.bucket.indexOf(old);
      if (i >= 0) old.bucket.splice(i, 1);
      if (old.bucket.length === 0 && old.owner.get(old.print) === old.bucket) old.owner.delete(old.print);
      this.#chars -= old.text.length + old.result.length;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
