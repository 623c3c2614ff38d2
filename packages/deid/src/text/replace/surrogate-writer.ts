import type { PatientContext } from '../../context/patient-context.ts';
import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';
import type { TextSpan } from '../text-deidentifier.ts';
import { parseDateMention } from './date-mention.ts';

/** `tags`: `[NAME]`, `[DATE]`...; `surrogates`: realistic, consistent per patient (needs a patient context). */
export type ReplacementMode = 'tags' | 'surrogates';

/** Word pools surrogates are drawn from. */
export interface SurrogatePools {
  readonly firstNames: readonly string[];
  readonly surnames: readonly string[];
  readonly cities: readonly string[];
  /** Whether a lower-case word is a given name (it then gets a given-name surrogate, else a surname). */
  readonly isGivenName: (lower: string) => boolean;
}

/** The tag written for a category: `other-id` → `[OTHER_ID]`. */
export function categoryTag(category: SafeHarborCategory): string {
  return `[${category.toUpperCase().replace('-', '_')}]`;
}

/** FNV-1a 32-bit of a (keyed pseudonym) string: picks surrogates deterministically. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function shapeLike(word: string, sample: string): string {
  if (sample.length > 1 && sample === sample.toUpperCase()) return word.toUpperCase();
  if (sample === sample.toLowerCase()) return word.toLowerCase();
  return word.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** Replaces digits by digits and letters by letters (same case), keeps punctuation: same shape. */
function shapePreserving(value: string, seed: string): string {
  let h = fnv(seed);
  let out = '';
  for (const ch of value) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    if (ch >= '0' && ch <= '9') out += String(h % 10);
    else if (ch >= 'a' && ch <= 'z') out += String.fromCharCode(97 + (h % 26));
    else if (ch >= 'A' && ch <= 'Z') out += String.fromCharCode(65 + (h % 26));
    else out += ch;
  }
  return out === value ? bumpFirstAlphanumeric(out) : out;
}

/** A drawn value can come out equal to the real one (one in ten for a single digit): move its first digit or letter on by one. */
function bumpFirstAlphanumeric(value: string): string {
  const i = value.search(/[0-9A-Za-z]/);
  if (i < 0) return value;
  const c = value.charCodeAt(i);
  const [base, size] = c <= 57 ? [48, 10] : c <= 90 ? [65, 26] : [97, 26];
  return value.slice(0, i) + String.fromCharCode(base + ((c - base + 1) % size)) + value.slice(i + 1);
}

/**
 * The surrogate of `word` (`lower` is its lower case): the pool word at `h`, or the next one
 * along that shares no substring relation with the real word (case-insensitive), written in the
 * word's case. A surrogate equal to, inside, or around the real word would carry it through
 * (`Smith` → `Smitham`); pools hold thousands of words, so the walk is short. If every pool word
 * is related, the tag of `category`.
 */
function unrelatedSurrogate(pool: readonly string[], h: number, word: string, lower: string, category: SafeHarborCategory): string {
  for (let i = 0; i < pool.length; i++) {
    const candidate = pool[(h + i) % pool.length];
    if (candidate === undefined) continue;
    const c = candidate.toLowerCase();
    if (!c.includes(lower) && !lower.includes(c)) return shapeLike(candidate, word);
  }
  return categoryTag(category);
}

/** A letter for an initial, never the initial itself. */
function otherInitial(h: number, initial: string): string {
  const own = initial.toUpperCase().charCodeAt(0) - 65;
  const pick = own >= 0 && own < 26 ? (own + 1 + (h % 25)) % 26 : h % 26;
  return String.fromCharCode(65 + pick);
}

const MEMO_SIZE = 20_000;
const WORDS = /[\p{L}][\p{L}'’-]*/gu;
const KEEP_WORDS = new Set(
  'hospital medical center centre clinic health care healthcare infirmary memorial institute of the and at for street st avenue ave road rd boulevard blvd lane ln drive dr court ct way place pl apt suite unit box po p.o.'.split(' '),
);

/**
 * Writes the replacement of each span. Surrogates: names from the pools picked by the patient's
 * keyed `pseudonymFor` (same name → same surrogate for this patient, in every note), dates shifted
 * by the patient's `shiftIsoDate` and written in the same form, ages over 89 as `90+`
 * (45 CFR §164.514(b)(2)(i)(C)), identifiers with the same shape, e-mail/URL/IP from reserved
 * example ranges (RFC 2606, RFC 5737). Without a patient context, surrogates fall back to tags.
 */
export class SurrogateWriter {
  readonly #pools: SurrogatePools;
  /** Keyed pseudonyms already computed, per patient pseudonym (bounded): the HMAC is the hot spot. */
  readonly #pseudonyms = new Map<string, string>();

  constructor(pools: SurrogatePools) {
    this.#pools = pools;
  }

  apply(text: string, spans: readonly TextSpan[], mode: ReplacementMode, patient: PatientContext | undefined): string {
    if (patient !== undefined && mode === 'surrogates') patient = this.#memo(patient);
    let out = '';
    let at = 0;
    for (const s of spans) {
      out += text.slice(at, s.start);
      const value = text.slice(s.start, s.end);
      out += mode === 'tags' || patient === undefined ? categoryTag(s.category) : this.surrogate(value, s, patient);
      at = s.end;
    }
    return out + text.slice(at);
  }

  /** The same patient context with `pseudonymFor` memoized (same inputs, same HMAC output). */
  #memo(patient: PatientContext): PatientContext {
    const cache = this.#pseudonyms;
    return {
      pseudonym: patient.pseudonym,
      dateShiftDays: patient.dateShiftDays,
      shiftIsoDate: (v) => patient.shiftIsoDate(v),
      pseudonymFor(kind, value) {
        const key = `${patient.pseudonym}\0${kind}\0${value}`;
        let p = cache.get(key);
        if (p === undefined) {
          p = patient.pseudonymFor(kind, value);
          if (cache.size >= MEMO_SIZE) cache.clear();
          cache.set(key, p);
        }
        return p;
      },
    };
  }

  surrogate(value: string, span: TextSpan, patient: PatientContext): string {
    switch (span.category) {
      case 'name':
        return this.#name(value, patient);
      case 'date':
        return this.#date(value, span, patient);
      case 'email':
        return `user${String(fnv(patient.pseudonymFor('email', value.toLowerCase())) % 100000)}@example.org`;
      case 'url':
        return `https://example.org/${String(fnv(patient.pseudonymFor('url', value.toLowerCase())) % 100000)}`;
      case 'ip':
        return value.includes(':') ? `2001:db8::${(fnv(patient.pseudonymFor('ip', value)) % 65535).toString(16)}` : `192.0.2.${String((fnv(patient.pseudonymFor('ip', value)) % 254) + 1)}`;
      case 'geographic':
        return this.#place(value, patient);
      default:
        return shapePreserving(value, patient.pseudonymFor(span.category, value.replace(/\W/g, '').toLowerCase()));
    }
  }

  #name(value: string, patient: PatientContext): string {
    const words = [...value.matchAll(WORDS)];
    let out = '';
    let at = 0;
    words.forEach((w) => {
      const word = w[0];
      out += value.slice(at, w.index);
      const lower = word.toLowerCase();
      const h = fnv(patient.pseudonymFor('name', lower));
      if (word.length === 1) out += otherInitial(h, word);
      else {
        // The pool depends on the word only, so a name gets the same surrogate wherever it stands.
        const pool = this.#pools.isGivenName(lower) ? this.#pools.firstNames : this.#pools.surnames;
        out += unrelatedSurrogate(pool, h, word, lower, 'name');
      }
      at = w.index + word.length;
    });
    return out + value.slice(at);
  }

  #date(value: string, span: TextSpan, patient: PatientContext): string {
    if (span.detector.endsWith('age-over-89')) return '90+';
    const mention = parseDateMention(value);
    if (mention === undefined) return categoryTag('date');
    const y = mention.year ?? 2000;
    const m = mention.month ?? 1;
    const d = mention.day ?? 15;
    const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const shifted = /^(\d{4})-(\d{2})-(\d{2})/.exec(patient.shiftIsoDate(iso));
    if (shifted === null) return categoryTag('date');
    return mention.render(Number(shifted[1]), Number(shifted[2]), Number(shifted[3]));
  }

  #place(value: string, patient: PatientContext): string {
    const digitsDone = value.replace(/\d+/g, (digits) => shapePreserving(digits, patient.pseudonymFor('geographic', digits)));
    return digitsDone.replace(WORDS, (word) => {
      const lower = word.toLowerCase();
      if (KEEP_WORDS.has(lower) || (word.length === 2 && word === word.toUpperCase())) return word;
      return unrelatedSurrogate(this.#pools.cities, fnv(patient.pseudonymFor('place', lower)), word, lower, 'geographic');
    });
  }
}
