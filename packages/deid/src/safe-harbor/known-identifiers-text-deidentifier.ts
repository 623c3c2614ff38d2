import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier } from '../text/text-deidentifier.ts';
import { KnownIdentifierMatcher } from './known-identifier-matcher.ts';

/** Prepared identifier sets kept per instance (a batch meets a few patients at a time). */
const CACHE_SIZE = 64;
const EMPTY: readonly string[] = Object.freeze([]);

/**
 * The minimal {@link TextDeidentifier}: removes the identifiers already known from structured data
 * (45 CFR §164.514(b)(2)(i)), exact and case-insensitive, whole words only, with white space of
 * any kind and length between words; numbers (ids, phones) also match with other separators
 * (`123-45-6789` = `123 45 6789` = `123456789`), dates also in the usual written forms. Each match
 * becomes `[CATEGORY]`. It finds nothing it was not told about: the full engine lives in `text/`.
 *
 * Each identifier set is prepared once ({@link KnownIdentifierMatcher}) and reused for the same
 * object, or for an equal set handed in again (the next message or file of the same patient):
 * the last set, and up to 64 sets by object or by content, least recently used dropped first.
 * The sets live in a fixed array of slots, not in a `Map` or `WeakMap`: a stream of new sets (one
 * per HL7 message) through those made every scavenge promote each set and its matcher to the old
 * generation (measured: ~3 KB per message), where they died later at a higher price.
 */
export class KnownIdentifiersTextDeidentifier implements TextDeidentifier {
  /** The last set seen (consecutive texts of one message or file share it). */
  #lastKnown: KnownIdentifiers | undefined;
  #lastMatcher: KnownIdentifierMatcher | undefined;
  /**
   * The slots, as parallel arrays: per slot the object its set came in last, its content (the
   * lists, by reference), a digest of it, its matcher and when it was last used (0: empty). Typed
   * arrays for the numbers, so that a set seen for the first time (every HL7 message of a feed of
   * new patients) is looked for by two tight scans, not by visiting 64 objects twice.
   */
  readonly #knowns = new Array<KnownIdentifiers | undefined>(CACHE_SIZE).fill(undefined);
  readonly #lists = new Array<readonly (readonly string[])[] | undefined>(CACHE_SIZE).fill(undefined);
  readonly #matchers = new Array<KnownIdentifierMatcher | undefined>(CACHE_SIZE).fill(undefined);
  readonly #digests = new Int32Array(CACHE_SIZE);
  readonly #used = new Float64Array(CACHE_SIZE);
  #clock = 0;

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
    const knowns = this.#knowns;
    const used = this.#used;
    this.#clock += 1;
    let slot = knowns.indexOf(known);
    if (slot < 0) {
      const lists = [known.names ?? EMPTY, known.addresses ?? EMPTY, known.identifiers ?? EMPTY, known.phones ?? EMPTY, known.emails ?? EMPTY, known.dates ?? EMPTY];
      // A digest of a few characters per value first: sets of one shape (each HL7 message of a
      // feed: same names, new control ids) differ late, so comparing values set by set cost more.
      const digest = digestOf(lists);
      const digests = this.#digests;
      let oldest = 0;
      for (let i = 0; i < CACHE_SIZE; i++) {
        if (used[i] === 0) {
          oldest = i; // an empty slot: nothing after it was ever filled
          break;
        }
        if (digests[i] === digest && sameLists(this.#lists[i] as readonly (readonly string[])[], lists)) {
          slot = i;
          break;
        }
        if ((used[i] as number) < (used[oldest] as number)) oldest = i;
      }
      if (slot < 0) {
        // The lists are readonly by contract (KnownIdentifiers): kept by reference, not copied.
        slot = oldest;
        this.#lists[slot] = lists;
        digests[slot] = digest;
        this.#matchers[slot] = new KnownIdentifierMatcher(known);
      }
      knowns[slot] = known;
    }
    used[slot] = this.#clock;
    const matcher = this.#matchers[slot] as KnownIdentifierMatcher;
    this.#lastKnown = known;
    this.#lastMatcher = matcher;
    return matcher;
  }
}

/**
 * Each list's length, each value's length and its first, middle and last code units, mixed into
 * one number, and every code unit of the dates (short, and sets of dates alone, one per FHIR
 * resource, differ only inside them): equal sets have equal digests, a filter before
 * {@link sameLists}, which decides. Indexed loops, one multiplication per value: this runs for
 * every set not seen before.
 */
function digestOf(lists: readonly (readonly string[])[]): number {
  let h = 0;
  const dates = lists.length - 1;
  for (let l = 0; l < lists.length; l++) {
    const list = lists[l] as readonly string[];
    h = (Math.imul(h, 31) + list.length) | 0;
    for (let j = 0; j < list.length; j++) {
      const v = list[j] as string;
      const n = v.length;
      if (l === dates) for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + v.charCodeAt(i)) | 0;
      else if (n > 0) h = (Math.imul(h, 31) + ((n << 21) ^ (v.charCodeAt(0) << 14) ^ (v.charCodeAt(n >> 1) << 7) ^ v.charCodeAt(n - 1))) | 0;
    }
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
