import type { PatientContext } from '../context/patient-context.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';

/** Entries kept at most; past that the cache starts again empty (a bound, not an LRU order). */
const LIMIT = 50_000;
/** Slots of the open-addressing table at first (a power of two); doubled to stay at least twice the entries. */
const INITIAL_SLOTS = 1024;

/**
 * Escaped pseudonyms of escaped field values, across messages: `(kind, raw) -> out`, where `out`
 * is what the `pseudonym` method gives for `raw` decoded under the message's delimiters and
 * escaped back. Sound because a value's pseudonym depends only on the kind and the value
 * (`PatientContext.pseudonymFor` is a keyed, deterministic function; the cache is tied to that
 * function object and emptied when another one, or other delimiters, come in). A hit skips the
 * decode, the method dispatch, the normalisation and the factory's own cache look-up.
 *
 * An open-addressing table hashed over the value's characters (FNV-1a, with the kind's number):
 * a value sliced from a segment is a new string each time, whose hash a `Map` would compute in
 * the engine and then look up through its chains.
 */
export class PseudonymCache {
  /** Kind strings by number (emptied with the entries: CX-5 types from the data make kinds too). */
  #kinds = new Map<string, number>();
  #slots = new Int32Array(INITIAL_SLOTS);
  /** Per entry: its hash and kind number (typed arrays as long as the slots: entries stay under half). */
  #hashes = new Int32Array(INITIAL_SLOTS);
  #kindOf = new Int32Array(INITIAL_SLOTS);
  #raws: string[] = [];
  #outs: string[] = [];
  #fn: PatientContext['pseudonymFor'] | undefined;
  #enc: Hl7Encoding | undefined;

  /** The cached output, or undefined (a miss also re-targets the cache at this scope's function and delimiters). */
  get(scope: { readonly patient: PatientContext | undefined; readonly enc: Hl7Encoding }, kind: string, raw: string): string | undefined {
    // Compared by identity only, never called from here.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const fn = scope.patient?.pseudonymFor;
    if (fn !== this.#fn || (scope.enc !== this.#enc && !sameDelimiters(scope.enc, this.#enc))) {
      this.#clear();
      this.#fn = fn;
      this.#enc = scope.enc;
      return undefined;
    }
    this.#enc = scope.enc; // equal delimiters: the next field of this message compares by identity
    const k = this.#kinds.get(kind);
    if (k === undefined) return undefined;
    const h = hashOf(raw, k);
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = (slots[s] as number) - 1;
      if (e < 0) return undefined;
      if (this.#hashes[e] === h && this.#kindOf[e] === k && this.#raws[e] === raw) return this.#outs[e];
    }
  }

  set(kind: string, raw: string, out: string): void {
    if (this.#raws.length >= LIMIT) this.#clear();
    let k = this.#kinds.get(kind);
    if (k === undefined) {
      k = this.#kinds.size;
      this.#kinds.set(kind, k);
    }
    const e = this.#raws.length;
    if (2 * (e + 1) > this.#slots.length) this.#grow();
    const h = hashOf(raw, k);
    this.#place(h, e);
    this.#hashes[e] = h;
    this.#kindOf[e] = k;
    this.#raws.push(raw);
    this.#outs.push(out);
  }

  #place(h: number, e: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let s = h & mask;
    while ((slots[s] as number) !== 0) s = (s + 1) & mask;
    slots[s] = e + 1;
  }

  #grow(): void {
    const size = this.#slots.length * 2;
    this.#slots = new Int32Array(size);
    const hashes = new Int32Array(size);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    const kinds = new Int32Array(size);
    kinds.set(this.#kindOf);
    this.#kindOf = kinds;
    for (let e = 0; e < this.#raws.length; e++) this.#place(hashes[e] as number, e);
  }

  #clear(): void {
    if (this.#raws.length === 0) return;
    // New tables rather than emptied ones: long-lived tables keep promoting young entries.
    this.#slots = new Int32Array(INITIAL_SLOTS);
    this.#hashes = new Int32Array(INITIAL_SLOTS);
    this.#kindOf = new Int32Array(INITIAL_SLOTS);
    this.#raws = [];
    this.#outs = [];
    this.#kinds = new Map();
  }
}

/** FNV-1a over the UTF-16 units of `s`, seeded with the kind's number. */
function hashOf(s: string, kind: number): number {
  let h = Math.imul(0x811c9dc5 ^ kind, 0x01000193);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

function sameDelimiters(a: Hl7Encoding, b: Hl7Encoding | undefined): boolean {
  return (
    a === b ||
    (b !== undefined && a.field === b.field && a.component === b.component && a.repetition === b.repetition && a.escape === b.escape && a.subcomponent === b.subcomponent && a.truncation === b.truncation)
  );
}
