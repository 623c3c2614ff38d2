import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier } from '../text/text-deidentifier.ts';
import { KnownIdentifierMatcher } from './known-identifier-matcher.ts';

/** Prepared identifier sets kept per instance (a batch meets a few patients at a time). */
const CACHE_SIZE = 64;
const EMPTY: readonly string[] = Object.freeze([]);

/** One prepared set: the object it came in last, its content (by reference), a digest of it, and its matcher. */
interface Slot {
  known: KnownIdentifiers;
  readonly lists: readonly (readonly string[])[];
  readonly digest: number;
  readonly matcher: KnownIdentifierMatcher;
  used: number;
}

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
  readonly #slots: (Slot | undefined)[] = new Array<Slot | undefined>(CACHE_SIZE).fill(undefined);
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
    const slots = this.#slots;
    this.#clock += 1;
    let slot: Slot | undefined;
    for (let i = 0; i < CACHE_SIZE && slot === undefined; i++) if (slots[i]?.known === known) slot = slots[i];
    if (slot === undefined) {
      const lists = [known.names ?? EMPTY, known.addresses ?? EMPTY, known.identifiers ?? EMPTY, known.phones ?? EMPTY, known.emails ?? EMPTY, known.dates ?? EMPTY];
      const digest = digestOf(lists);
      let oldest = 0;
      for (let i = 0; i < CACHE_SIZE; i++) {
        const s = slots[i];
        // A digest of a few characters per value first: sets of one shape (each HL7 message of a
        // feed: same names, new control ids) differ late, so comparing values set by set cost more.
        if (s !== undefined && s.digest === digest && sameLists(s.lists, lists)) {
          slot = s;
          s.known = known;
          break;
        }
        if (s === undefined || s.used < (slots[oldest]?.used ?? -1)) oldest = i;
      }
      // The lists are readonly by contract (KnownIdentifiers): kept by reference, not copied.
      if (slot === undefined) {
        slot = { known, lists, digest, matcher: new KnownIdentifierMatcher(known), used: 0 };
        slots[oldest] = slot;
      }
    }
    slot.used = this.#clock;
    this.#lastKnown = known;
    this.#lastMatcher = slot.matcher;
    return slot.matcher;
  }
}

/** Lengths and the first, middle and last code units of every value: equal sets have equal digests. */
function digestOf(lists: readonly (readonly string[])[]): number {
  let h = 0;
  for (const list of lists) {
    h = (Math.imul(h, 31) + list.length) | 0;
    for (const v of list) {
      const n = v.length;
      if (n === 0) continue;
      h = (Math.imul(h, 31) + n) | 0;
      h = (Math.imul(h, 31) + v.charCodeAt(0)) | 0;
      h = (Math.imul(h, 31) + v.charCodeAt(n >> 1)) | 0;
      h = (Math.imul(h, 31) + v.charCodeAt(n - 1)) | 0;
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
