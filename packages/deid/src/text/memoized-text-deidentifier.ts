import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier } from './text-deidentifier.ts';

/** Texts longer than this are not memoized: a long text (an SR report, a note) rarely comes twice. */
const MAX_TEXT = 1024;

/**
 * A {@link TextDeidentifier} that remembers its results for short texts, per patient and set of
 * known identifiers: the instances of one series repeat the same descriptors (Study and Series
 * Description, Protocol Name, Body Part, ...), and each would otherwise cost a full engine pass.
 * The result of the wrapped engine depends only on the text, the patient (through its keyed
 * pseudonym, date shift and pseudonyms, all derived from the identity and the key) and the known
 * identifiers, so a hit returns exactly what a fresh call would (`memoized-text-deidentifier.test.ts`).
 * Memory only, bounded by `maxChars` (emptied when full); it holds PHI and is dropped with its
 * owner (one batch's de-identifier), never written or logged.
 */
export class MemoizedTextDeidentifier implements TextDeidentifier {
  readonly #inner: TextDeidentifier;
  readonly #maxChars: number;
  #chars = 0;
  readonly #byScope = new Map<string, Map<string, TextDeidResult>>();
  /** The scope part of a known-identifier set, computed once per set object (one per instance). */
  readonly #knownKeys = new WeakMap<KnownIdentifiers, string>();

  constructor(inner: TextDeidentifier, maxChars = 4 * 2 ** 20) {
    this.#inner = inner;
    this.#maxChars = maxChars;
  }

  deidentify(request: TextDeidRequest): TextDeidResult {
    if (request.text.length > MAX_TEXT) return this.#inner.deidentify(request);
    const scope = `${request.patient?.pseudonym ?? ''}\u0000${this.#knownKey(request.known)}`;
    let texts = this.#byScope.get(scope);
    const hit = texts?.get(request.text);
    if (hit !== undefined) return hit;
    const result = this.#inner.deidentify(request);
    const size = request.text.length + result.text.length;
    if (this.#chars + size > this.#maxChars) {
      this.#byScope.clear();
      this.#chars = 0;
      texts = undefined;
    }
    if (texts === undefined) {
      this.#byScope.set(scope, (texts = new Map<string, TextDeidResult>()));
      this.#chars += scope.length;
    }
    texts.set(request.text, result);
    this.#chars += size;
    return result;
  }

  #knownKey(known: KnownIdentifiers | undefined): string {
    if (known === undefined) return '';
    let key = this.#knownKeys.get(known);
    if (key === undefined) {
      // Field by field in a fixed order, values as given: equal sets of the same header give equal keys.
      key = JSON.stringify([known.names, known.dates, known.identifiers, known.addresses, known.phones, known.emails]);
      this.#knownKeys.set(known, key);
    }
    return key;
  }
}
