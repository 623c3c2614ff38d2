import type { PatientContext } from '../context/patient-context.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';

/** Entries kept at most; past that the cache starts again empty (a bound, not an LRU order). */
const LIMIT = 50_000;

/**
 * Escaped pseudonyms of escaped field values, across messages: `(kind, raw) -> out`, where `out`
 * is what the `pseudonym` method gives for `raw` decoded under the message's delimiters and
 * escaped back. Sound because a value's pseudonym depends only on the kind and the value
 * (`PatientContext.pseudonymFor` is a keyed, deterministic function; the cache is tied to that
 * function object and emptied when another one, or other delimiters, come in). A hit skips the
 * decode, the method dispatch, the normalisation and the factory's own cache look-up.
 */
export class PseudonymCache {
  #byKind = new Map<string, Map<string, string>>();
  #size = 0;
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
    return this.#byKind.get(kind)?.get(raw);
  }

  set(kind: string, raw: string, out: string): void {
    if (this.#size >= LIMIT) this.#clear();
    let byRaw = this.#byKind.get(kind);
    if (byRaw === undefined) {
      byRaw = new Map();
      this.#byKind.set(kind, byRaw);
    }
    byRaw.set(raw, out);
    this.#size += 1;
  }

  #clear(): void {
    // New maps rather than `clear()`: cleared long-lived tables keep promoting young entries.
    if (this.#size > 0) this.#byKind = new Map();
    this.#size = 0;
  }
}

function sameDelimiters(a: Hl7Encoding, b: Hl7Encoding | undefined): boolean {
  return (
    a === b ||
    (b !== undefined && a.field === b.field && a.component === b.component && a.repetition === b.repetition && a.escape === b.escape && a.subcomponent === b.subcomponent && a.truncation === b.truncation)
  );
}
