import { SPAN_STRENGTH, type DetectedSpan, type SpanDetector } from '../detected-span.ts';
import { normalizeToken } from '../dictionaries.ts';
import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';
import type { KnownIdentifiers } from '../text-deidentifier.ts';
import { writtenForms } from '../replace/date-mention.ts';
import { boundedEditDistance, toleratedDistance } from './edit-distance.ts';

interface Needle {
  pattern: string;
  readonly category: SafeHarborCategory;
  readonly kind: string;
}

/** A one-word needle found with indexOf in the lower-cased text (fast path). */
interface Word {
  readonly lower: string;
  readonly category: SafeHarborCategory;
  readonly kind: string;
  /** An ordinary word (`Rose`): only a capitalized occurrence counts. */
  readonly capitalized: boolean;
}

/** Capitalized words of 5+ letters: the candidates for a misspelled known name. */
const CAP_WORD = /\p{Lu}[\p{L}'’-]{4,}/gu;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const SSN_SHAPE = /^\d{3}-?\d{2}-?\d{4}$/;
const SYNTHETIC_SUFFIX = /\d+$/;

const INITIAL_BEFORE = /(?<![\p{L}\d])(\p{Lu})\.?[ \t]+$/u;
const INITIAL_AFTER = /^(,?[ \t]*)(\p{Lu})(?![\p{L}\d])\.?/u;
const LETTER_OR_DIGIT = /[\p{L}\d]/u;

/** True when the match is a whole word (no letter or digit just before or after it). */
function wordBoundary(text: string, start: number, end: number): boolean {
  return !(start > 0 && LETTER_OR_DIGIT.test(text.charAt(start - 1))) && !(end < text.length && LETTER_OR_DIGIT.test(text.charAt(end)));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A literal matched case-insensitively with any run of blanks for any blank run. */
function literal(value: string): string {
  return value.trim().split(/\s+/).map(escape).join('\\s+');
}

/** Digits with optional separators between them, so `(617) 555-0100` matches `6175550100`. */
function digitsLoose(value: string): string | undefined {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 5) return undefined;
  return digits.split('').join('[\\s().-]{0,2}');
}

/**
 * Finds the patient's identifiers already known from structured data (FHIR Patient, HL7 PID/NK1,
 * DICOM header): names (exact, case- and spacing-insensitive, nicknames, misspellings within a
 * small edit distance, capitalized words only), birth dates in their common written forms, identifiers and phone numbers
 * with any separators, e-mail addresses and address lines. Built per request; PHI stays in memory.
 */
export class KnownIdentifierDetector implements SpanDetector {
  readonly id = 'known';
  readonly #regex: RegExp | undefined;
  readonly #needles: readonly Needle[];
  readonly #nameParts: readonly string[];
  readonly #words: readonly Word[];
  /** First letters of the known names (`W` for William): an initial next to a known name is part of it. */
  readonly #initials: ReadonlySet<string>;

  /**
   * @param isCommonWord name parts that are ordinary words (`Will`, `Rose`) match only when
   *   capitalized, so `will continue` is not taken for the patient `Will`.
   */
  constructor(known: KnownIdentifiers, nicknames: ReadonlyMap<string, readonly string[]>, isCommonWord: (norm: string) => boolean) {
    const needles: Needle[] = [];
    const parts = new Set<string>();
    for (const name of known.names ?? []) {
      if (name.trim().length < 2) continue;
      for (const raw of name.split(/[\s,]+/)) {
        const part = normalizeToken(raw.replace(/\.$/, ''));
        if (part.length < 2) continue;
        parts.add(part);
        const bare = part.replace(SYNTHETIC_SUFFIX, '');
        if (bare !== part && bare.length >= 2) parts.add(bare);
        for (const nick of nicknames.get(bare) ?? []) parts.add(nick);
      }
    }
    const words: Word[] = [...parts].map((p) => ({ lower: p, category: 'name', kind: 'name', capitalized: isCommonWord(p) }));
    for (const date of known.dates ?? []) {
      const m = ISO_DATE.exec(date);
      if (m === null) {
        if (date.trim().length >= 4) needles.push({ pattern: literal(date), category: 'date', kind: 'date' });
        continue;
      }
      for (const form of writtenForms(Number(m[1]), Number(m[2]), Number(m[3]))) needles.push({ pattern: literal(form), category: 'date', kind: 'date' });
    }
    for (const id of known.identifiers ?? []) {
      if (id.trim().length < 3) continue;
      const category: SafeHarborCategory = SSN_SHAPE.test(id.trim()) ? 'ssn' : 'other-id';
      needles.push({ pattern: literal(id), category, kind: 'identifier' });
      const loose = digitsLoose(id);
      if (loose !== undefined && /^[\d\s().-]+$/.test(id)) needles.push({ pattern: loose, category, kind: 'identifier' });
    }
    for (const phone of known.phones ?? []) {
      const loose = digitsLoose(phone);
      needles.push({ pattern: loose ?? literal(phone), category: 'phone', kind: 'phone' });
      const national = phone.replace(/\D/g, '');
      if (national.length === 11 && national.startsWith('1')) needles.push({ pattern: digitsLoose(national.slice(1)) ?? '', category: 'phone', kind: 'phone' });
    }
    for (const email of known.emails ?? []) if (email.includes('@')) needles.push({ pattern: literal(email), category: 'email', kind: 'email' });
    for (const address of known.addresses ?? []) {
      for (const part of [address, ...address.split(/[,\n]+/)]) {
        if (part.trim().length >= 3 && /\p{L}{2}|\d{3}/u.test(part)) needles.push({ pattern: literal(part), category: 'geographic', kind: 'address' });
      }
    }
    // One-word needles go to the indexOf path; the rest (spaces, digit patterns) to one regex.
    for (const n of needles) {
      if (/^[\p{L}\p{N}@._'-]+$/u.test(n.pattern.replace(/\\./g, '.').replace(/\\-/g, '-')) && !n.pattern.includes('[')) {
        words.push({ lower: n.pattern.replace(/\\(.)/g, '$1').toLowerCase(), category: n.category, kind: n.kind, capitalized: false });
        n.pattern = '';
      }
    }
    this.#words = words;
    this.#initials = new Set([...parts].map((p) => p.charAt(0).toUpperCase()));
    const valid = needles.filter((n) => n.pattern.length > 0);
    valid.sort((a, b) => b.pattern.length - a.pattern.length);
    this.#needles = valid;
    this.#nameParts = [...parts].filter((p) => p.length >= 5 && !isCommonWord(p));
    this.#regex =
      valid.length === 0 ? undefined : new RegExp(valid.map((n, i) => (n.pattern.includes('(?i:') ? `(?<k${i}>${n.pattern})` : `(?<k${i}>(?i:${n.pattern}))`)).join('|'), 'gu');
  }

  detect(text: string, out: DetectedSpan[]): void {
    this.#findWords(text, out);
    if (this.#regex !== undefined) {
      const re = this.#regex;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const groups = m.groups ?? {};
        let needle: Needle | undefined;
        for (let i = 0; i < this.#needles.length; i++) {
          if (groups[`k${i}`] !== undefined) {
            needle = this.#needles[i];
            break;
          }
        }
        if (needle === undefined || !wordBoundary(text, m.index, m.index + m[0].length)) continue;
        out.push({ start: m.index, end: m.index + m[0].length, category: needle.category, detector: `known.${needle.kind}`, strength: SPAN_STRENGTH.known });
      }
    }
    if (this.#nameParts.length > 0) this.#fuzzyNames(text, out);
    this.#initialsNextToNames(text, out);
  }

  /** `W. Zxqorbee`, `Zxqorbee, W.`: a capital initial of a known name right before or after one. */
  #initialsNextToNames(text: string, out: DetectedSpan[]): void {
    const found = out.filter((s) => s.detector.startsWith('known.name'));
    for (const s of found) {
      const before = INITIAL_BEFORE.exec(text.slice(Math.max(0, s.start - 5), s.start));
      if (before?.[1] !== undefined && this.#initials.has(before[1])) {
        const start = s.start - before[0].length;
        out.push({ start, end: start + (before[0].includes('.') ? 2 : 1), category: 'name', detector: 'known.initial', strength: SPAN_STRENGTH.known });
      }
      const after = INITIAL_AFTER.exec(text.slice(s.end, s.end + 6));
      if (after?.[2] !== undefined && this.#initials.has(after[2])) {
        const start = s.end + (after[1]?.length ?? 0);
        out.push({ start, end: start + (after[0].endsWith('.') ? 2 : 1), category: 'name', detector: 'known.initial', strength: SPAN_STRENGTH.known });
      }
    }
  }

  #findWords(text: string, out: DetectedSpan[]): void {
    if (this.#words.length === 0) return;
    const lower = text.toLowerCase();
    if (lower.length !== text.length) {
      // Lower-casing changed lengths (rare scripts): offsets would drift, use a per-word regex.
      for (const w of this.#words) {
        for (const m of text.matchAll(new RegExp(escape(w.lower), 'giu'))) this.#pushWord(text, m.index, m.index + m[0].length, w, out);
      }
      return;
    }
    for (const w of this.#words) {
      for (let at = lower.indexOf(w.lower); at >= 0; at = lower.indexOf(w.lower, at + 1)) this.#pushWord(text, at, at + w.lower.length, w, out);
    }
  }

  #pushWord(text: string, start: number, end: number, w: Word, out: DetectedSpan[]): void {
    if (!wordBoundary(text, start, end)) return;
    if (w.capitalized && text.charAt(start) === text.charAt(start).toLowerCase()) return;
    out.push({ start, end, category: w.category, detector: `known.${w.kind}`, strength: SPAN_STRENGTH.known });
  }

  /** Misspelled known names: any word within the tolerated edit distance of a known name part. */
  #fuzzyNames(text: string, out: DetectedSpan[]): void {
    const re = CAP_WORD;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const word = m[0];
      if (!wordBoundary(text, m.index, m.index + word.length)) continue;
      const norm = normalizeToken(word);
      for (const part of this.#nameParts) {
        if (norm === part) break;
        const max = toleratedDistance(part.length);
        if (Math.abs(norm.length - part.length) > max || (norm.charCodeAt(0) !== part.charCodeAt(0) && norm.charCodeAt(1) !== part.charCodeAt(1))) continue;
        if (boundedEditDistance(norm, part, max) <= max) {
          out.push({ start: m.index, end: m.index + norm.length, category: 'name', detector: 'known.name-fuzzy', strength: SPAN_STRENGTH.known });
          break;
        }
      }
    }
  }
}
