import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier } from '../text/text-deidentifier.ts';
import { KnownIdentifierMatcher } from './known-identifier-matcher.ts';

/** Prepared identifier sets kept by content per instance (a batch meets a few patients at a time). */
const CONTENT_CACHE_SIZE = 64;
const FIELDS = ['names', 'addresses', 'identifiers', 'phones', 'emails', 'dates'] as const;

/**
 * The minimal {@link TextDeidentifier}: removes the identifiers already known from structured data
 * (45 CFR §164.514(b)(2)(i)), exact and case-insensitive, whole words only, with white space of
 * any kind and length between words; numbers (ids, phones) also match with other separators
 * (`123-45-6789` = `123 45 6789` = `123456789`), dates also in the usual written forms. Each match
 * becomes `[CATEGORY]`. It finds nothing it was not told about: the full engine lives in `text/`.
 *
 * Each identifier set is prepared once ({@link KnownIdentifierMatcher}) and reused for the same
 * object, or for an equal set handed in again (the next message or file of the same patient):
 * the last set, every set object still alive (weakly), and up to 64 sets by content, least
 * recently used dropped first.
 */
export class KnownIdentifiersTextDeidentifier implements TextDeidentifier {
  /** The last set seen (consecutive texts of one message or file share it). */
  #lastKnown: KnownIdentifiers | undefined;
  #lastMatcher: KnownIdentifierMatcher | undefined;
  /** Sets met before (FHIR hands the same patient's set to many texts, not always in a row). */
  readonly #byObject = new WeakMap<KnownIdentifiers, KnownIdentifierMatcher>();
  /** By {@link quickHash} of the content; an entry is used only when its values are all equal. */
  readonly #byContent = new Map<number, { readonly lists: readonly (readonly string[])[]; readonly matcher: KnownIdentifierMatcher }>();

  deidentify(request: TextDeidRequest): TextDeidResult {
    const { text, known } = request;
    if (known === undefined || text === '') return { text, spans: [] };
    const spans = this.#matcher(known).findSpans(text);
    if (spans.length === 0) return { text, spans };
    let out = '';
    let last = 0;
    for (const s of spans) {
      out += `${text.slice(last, s.start)}[${s.category.toUpperCase()}]`;
      last = s.end;
    }
    return { text: out + text.slice(last), spans };
  }

  #matcher(known: KnownIdentifiers): KnownIdentifierMatcher {
    if (known === this.#lastKnown && this.#lastMatcher !== undefined) return this.#lastMatcher;
    let matcher = this.#byObject.get(known);
    if (matcher !== undefined) {
      this.#lastKnown = known;
      this.#lastMatcher = matcher;
      return matcher;
    }
    const lists = FIELDS.map((f) => known[f] ?? []);
    const hash = quickHash(lists);
    const cached = this.#byContent.get(hash);
    if (cached !== undefined && sameLists(cached.lists, lists)) {
      matcher = cached.matcher;
      this.#byContent.delete(hash); // re-inserted below: most recently used last
    } else {
      matcher = new KnownIdentifierMatcher(known);
      if (this.#byContent.size >= CONTENT_CACHE_SIZE) this.#byContent.delete(this.#byContent.keys().next().value ?? 0);
    }
    // The lists are readonly by contract (KnownIdentifiers): kept by reference, not copied.
    this.#byContent.set(hash, { lists, matcher });
    this.#byObject.set(known, matcher);
    this.#lastKnown = known;
    this.#lastMatcher = matcher;
    return matcher;
  }
}

/** A cheap hash of the lists (sizes, lengths, first and last characters of each value); equality is checked after. */
function quickHash(lists: readonly (readonly string[])[]): number {
  let h = 0x811c9dc5;
  for (const list of lists) {
    h = Math.imul(h ^ list.length, 0x01000193);
    for (const v of list) h = Math.imul(h ^ ((v.length << 16) ^ (v.charCodeAt(0) << 8) ^ v.charCodeAt(v.length - 1)), 0x01000193);
  }
  return h;
}

function sameLists(a: readonly (readonly string[])[], b: readonly (readonly string[])[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? [];
    const y = b[i] ?? [];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
