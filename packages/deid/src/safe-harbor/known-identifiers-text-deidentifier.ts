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
 * object, or for an equal set handed in again (the next message or file of the same patient).
 */
export class KnownIdentifiersTextDeidentifier implements TextDeidentifier {
  readonly #byObject = new WeakMap<KnownIdentifiers, KnownIdentifierMatcher>();
  readonly #byContent = new Map<string, KnownIdentifierMatcher>();

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
    let matcher = this.#byObject.get(known);
    if (matcher !== undefined) return matcher;
    const key = contentKey(known);
    matcher = this.#byContent.get(key);
    if (matcher === undefined) {
      matcher = new KnownIdentifierMatcher(known);
      if (this.#byContent.size >= CONTENT_CACHE_SIZE) this.#byContent.delete(this.#byContent.keys().next().value ?? '');
    } else this.#byContent.delete(key); // re-inserted below: most recently used last
    this.#byContent.set(key, matcher);
    this.#byObject.set(known, matcher);
    return matcher;
  }
}

/** The set's values field by field (JSON: unambiguous, and native). */
function contentKey(known: KnownIdentifiers): string {
  return JSON.stringify(FIELDS.map((f) => known[f] ?? []));
}
