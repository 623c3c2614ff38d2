import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier, TextSpan } from '../text/text-deidentifier.ts';
import type { SafeHarborCategory } from './categories.ts';
import { foldText, isWordAt, originalOffset } from './fold-text.ts';

interface Literal {
  /** Lower-cased text to find. */
  readonly text: string;
  readonly category: SafeHarborCategory;
  readonly detector: string;
}

interface Compiled {
  readonly literals: readonly Literal[];
  /** Digits-only forms of known numbers (ids, phones) → their category and detector. */
  readonly numbers: ReadonlyMap<string, Omit<Literal, 'text'>>;
}

const KINDS = [
  ['names', 'name', 'known.name'],
  ['addresses', 'geographic', 'known.address'],
  ['identifiers', 'other-id', 'known.identifier'],
  ['phones', 'phone', 'known.phone'],
  ['emails', 'email', 'known.email'],
  ['dates', 'date', 'known.date'],
] as const;

const ISO_DATE = /^(\d{4})-?(\d{2})-?(\d{2})/;
// A run of digits with the separators people write inside numbers: `123-45-6789`, `(555) 555 2004`.
const DIGIT_RUN = /\d(?:[\s\-.()/]{0,3}\d)*/g;
const GROUP_SEPARATOR = /[\s\-.()/]+/;

/**
 * The minimal {@link TextDeidentifier}: removes the identifiers already known from structured data
 * (45 CFR §164.514(b)(2)(i)), exact and case-insensitive, whole words only, with white space of
 * any kind and length between words; numbers (ids, phones) also match with other separators
 * (`123-45-6789` = `123 45 6789` = `123456789`), dates also in the usual written forms. Each match
 * becomes `[CATEGORY]`. It finds nothing it was not told about: the full engine lives in `text/`.
 */
export class KnownIdentifiersTextDeidentifier implements TextDeidentifier {
  readonly #cache = new WeakMap<KnownIdentifiers, Compiled>();

  deidentify(request: TextDeidRequest): TextDeidResult {
    const { text, known } = request;
    if (known === undefined || text === '') return { text, spans: [] };
    let compiled = this.#cache.get(known);
    if (compiled === undefined) {
      compiled = compile(known);
      this.#cache.set(known, compiled);
    }
    const spans = findSpans(text, compiled);
    if (spans.length === 0) return { text, spans };
    let out = '';
    let last = 0;
    for (const s of spans) {
      out += `${text.slice(last, s.start)}[${s.category.toUpperCase()}]`;
      last = s.end;
    }
    return { text: out + text.slice(last), spans };
  }
}

function findSpans(text: string, compiled: Compiled): TextSpan[] {
  // Collapse white space runs to one space, keeping a map back to the original offsets.
  const f = foldText(text);
  const { folded } = f;
  const found: TextSpan[] = [];
  for (const lit of compiled.literals) {
    for (let i = folded.indexOf(lit.text); i >= 0; i = folded.indexOf(lit.text, i + 1)) {
      const end = i + lit.text.length;
      if (isWordAt(folded, i - 1) || isWordAt(folded, end)) continue;
      const start = originalOffset(f, i);
      const stop = originalOffset(f, end - 1) + 1;
      found.push({ start, end: stop, category: lit.category, detector: lit.detector });
    }
  }
  if (compiled.numbers.size > 0) {
    for (const m of text.matchAll(DIGIT_RUN)) {
      const groups = m[0].split(GROUP_SEPARATOR);
      // Every contiguous sequence of digit groups, so `MRN 100000000 2024` still finds the MRN.
      const starts: number[] = [];
      let at = m.index;
      for (const g of groups) {
        at = text.indexOf(g, at);
        starts.push(at);
        at += g.length;
      }
      for (let a = 0; a < groups.length; a++) {
        let digits = '';
        for (let b = a; b < groups.length; b++) {
          digits += groups[b] ?? '';
          const hit = compiled.numbers.get(digits);
          const start = starts[a] ?? 0;
          const end = (starts[b] ?? 0) + (groups[b]?.length ?? 0);
          if (hit !== undefined && !isWordAt(text, start - 1) && !isWordAt(text, end)) found.push({ start, end, ...hit });
        }
      }
    }
  }
  // Longest first at each place; drop what overlaps a kept span.
  found.sort((x, y) => x.start - y.start || y.end - x.end);
  const kept: TextSpan[] = [];
  for (const s of found) {
    const prev = kept[kept.length - 1];
    if (prev !== undefined && s.start < prev.end) continue;
    kept.push(s);
  }
  return kept;
}

const SIMPLE_SPACING = /\s\s|[^\S ]/u;

function compile(known: KnownIdentifiers): Compiled {
  const seen = new Set<string>();
  const literals: Literal[] = [];
  const numbers = new Map<string, Omit<Literal, 'text'>>();
  for (const [field, category, detector] of KINDS) {
    const numeric = field === 'identifiers' || field === 'phones';
    for (const raw of known[field] ?? []) {
      // NFC leaves pure ASCII unchanged; skip the (costly) call for it.
      const value = (NON_ASCII.test(raw) ? raw.normalize('NFC') : raw).trim();
      if (value === '') continue;
      for (const variant of field === 'dates' ? variants(value, field) : [value]) {
        const text = (SIMPLE_SPACING.test(variant) ? variant.replace(/\s+/gu, ' ') : variant).toLowerCase();
        if (text.length < 2 || seen.has(text)) continue;
        seen.add(text);
        literals.push({ text, category, detector });
      }
      if (!numeric) continue;
      const digits = digitsOf(value);
      if (digits.length >= 4 && !numbers.has(digits)) numbers.set(digits, { category, detector });
    }
  }
  literals.sort((a, b) => b.text.length - a.text.length);
  return { literals, numbers };
}

const NON_ASCII = /[^\x00-\x7F]/;

/** The ASCII digits of a value (what `value.replace(/\D/gu, '')` gives), without a regex. */
function digitsOf(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) out += value.charAt(i);
  }
  return out;
}

/** Literal spellings of one known value. */
function variants(value: string, field: (typeof KINDS)[number][0]): string[] {
  const out = [value];
  if (field === 'dates' && value.replace(/\D/gu, '').length >= 8) {
    const m = ISO_DATE.exec(value);
    if (m !== null) {
      const [, y = '', mo = '', d = ''] = m;
      const nm = String(Number(mo));
      const nd = String(Number(d));
      out.push(`${y}${mo}${d}`, `${y}-${mo}-${d}`);
      for (const mm of new Set([mo, nm])) for (const dd of new Set([d, nd])) out.push(`${mm}/${dd}/${y}`, `${dd}.${mm}.${y}`);
    }
  }
  return out;
}
