import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';
import { covered, isWordChar } from './span-lookup.ts';

/** A written date: a digit and a separator or a month's letters (`11/2`, `3-4`, `Mar 4`), not a bare number. */
const WRITTEN_DATE = /^(?=.*\d)(?=.*[/.\-\s\p{L}]).{3,}$/u;

/**
 * Dates found once are dates everywhere in the same text: the exact text of a date span
 * (`Labs 11/2: ...`) at its other places (`ECG 11/2 @ 0915`), where no context word told the
 * pattern that a short form is a date. Only written dates of the date patterns and the known
 * identifiers repeat: an age over 89 or a birth year (`92`, `1929`) is a bare number that means
 * other things elsewhere (`HR 92`). Another digit, letter or date separator right next to an
 * occurrence makes it part of something else (`11/23`, `1/2/2024`). 45 CFR
 * §164.514(b)(2)(i)(C). Returns the new spans.
 */
export function repeatedDateSpans(text: string, spans: readonly DetectedSpan[]): DetectedSpan[] {
  const dates = new Set<string>();
  for (const s of spans) {
    if (s.category !== 'date' || !(s.detector.startsWith('regex.date-') || s.detector === 'known.date')) continue;
    const value = text.slice(s.start, s.end);
    if (WRITTEN_DATE.test(value)) dates.add(value);
  }
  if (dates.size === 0) return [];
  const out: DetectedSpan[] = [];
  for (const value of dates) {
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
      const end = at + value.length;
      if (continues(text, at - 1, at - 2) || continues(text, end, end + 1)) continue;
      if (!covered(spans, at, end)) out.push({ start: at, end, category: 'date', detector: 'context.repeated-date', strength: SPAN_STRENGTH.dictionary });
    }
  }
  return out;
}

/** A letter or digit at `at`, or a date separator there with a digit beyond it (`/23`, `-2024`). */
function continues(text: string, at: number, beyond: number): boolean {
  if (isWordChar(text, at)) return true;
  const c = text.charCodeAt(at);
  return (c === 47 || c === 45 || c === 46) && /\d/.test(text.charAt(beyond));
}
