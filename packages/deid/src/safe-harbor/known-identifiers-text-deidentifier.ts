import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier, TextSpan } from '../text/text-deidentifier.ts';
import type { SafeHarborCategory } from './categories.ts';

interface Pattern {
  readonly source: string;
  readonly category: SafeHarborCategory;
  readonly detector: string;
}

interface Compiled {
  readonly regex: RegExp | undefined;
  readonly byGroup: readonly Pattern[];
}

const KINDS = [
  ['names', 'name', 'known.name'],
  ['addresses', 'geographic', 'known.address'],
  ['identifiers', 'other-id', 'known.identifier'],
  ['phones', 'phone', 'known.phone'],
  ['emails', 'email', 'known.email'],
  ['dates', 'date', 'known.date'],
] as const;

const WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const WORD_AFTER = '(?![\\p{L}\\p{N}])';
const ISO_DATE = /^(\d{4})-?(\d{2})-?(\d{2})/;

/**
 * The minimal {@link TextDeidentifier}: removes the identifiers already known from structured data
 * (45 CFR §164.514(b)(2)(i)), exact and case/space-insensitive, whole words only; numbers (ids,
 * phones) also match with other separators (`123-45-6789` = `123 45 6789` = `123456789`), dates
 * also in the usual written forms. Each match becomes `[CATEGORY]`. It finds nothing it was not
 * told about: the full engine lives in `text/`.
 */
export class KnownIdentifiersTextDeidentifier implements TextDeidentifier {
  readonly #cache = new WeakMap<KnownIdentifiers, Compiled>();

  deidentify(request: TextDeidRequest): TextDeidResult {
    const known = request.known;
    if (known === undefined || request.text === '') return { text: request.text, spans: [] };
    let compiled = this.#cache.get(known);
    if (compiled === undefined) {
      compiled = compile(known);
      this.#cache.set(known, compiled);
    }
    const { regex, byGroup } = compiled;
    if (regex === undefined) return { text: request.text, spans: [] };
    regex.lastIndex = 0;
    const spans: TextSpan[] = [];
    let out = '';
    let last = 0;
    for (let m = regex.exec(request.text); m !== null; m = regex.exec(request.text)) {
      const groups: readonly (string | undefined)[] = m.slice(1);
      const group = groups.findIndex((g) => g !== undefined);
      const pattern = byGroup[group];
      if (pattern === undefined) break;
      spans.push({ start: m.index, end: m.index + m[0].length, category: pattern.category, detector: pattern.detector });
      out += `${request.text.slice(last, m.index)}[${pattern.category.toUpperCase()}]`;
      last = m.index + m[0].length;
    }
    return spans.length === 0 ? { text: request.text, spans } : { text: out + request.text.slice(last), spans };
  }
}

function compile(known: KnownIdentifiers): Compiled {
  const seen = new Set<string>();
  const patterns: Pattern[] = [];
  for (const [field, category, detector] of KINDS) {
    for (const raw of known[field] ?? []) {
      for (const variant of variants(raw, field)) {
        if (variant.length < 2 || seen.has(variant)) continue;
        seen.add(variant);
        patterns.push({ source: variant, category, detector });
      }
    }
  }
  if (patterns.length === 0) return { regex: undefined, byGroup: [] };
  // Longest first, so `JOHN SMITH` wins over `JOHN`.
  patterns.sort((a, b) => b.source.length - a.source.length);
  const alternation = patterns.map((p) => `(${p.source})`).join('|');
  return { regex: new RegExp(`${WORD_BEFORE}(?:${alternation})${WORD_AFTER}`, 'giu'), byGroup: patterns };
}

/** Regex sources (already escaped) that match one known value. */
function variants(raw: string, field: (typeof KINDS)[number][0]): string[] {
  const value = raw.normalize('NFC').trim();
  if (value === '') return [];
  const out = [value.split(/\s+/u).map(escape).join('\\s+')];
  const digits = value.replace(/\D/gu, '');
  if ((field === 'identifiers' || field === 'phones') && digits.length >= 4) out.push(digits.split('').join('[\\s\\-.()/]*'));
  if (field === 'dates') {
    const m = ISO_DATE.exec(value.replace(/\D/gu, '').length >= 8 ? value : '');
    if (m !== null) {
      const [, y = '', mo = '', d = ''] = m;
      const nm = String(Number(mo));
      const nd = String(Number(d));
      out.push(`${y}${mo}${d}`, `${y}-${mo}-${d}`, `(?:${mo}|${nm})/(?:${d}|${nd})/${y}`, `(?:${d}|${nd})\\.(?:${mo}|${nm})\\.${y}`);
    }
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
}
