import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

/** What may stand between a place and its ZIP code: a comma, blanks, a two-letter state. */
const ZIP_AFTER = /,?[ \t]+(?:[A-Z]{2},?[ \t]+)?(\d{5}(?:-\d{4})?)(?![\p{L}\p{N}-])/uy;

/**
 * A five-digit ZIP code (or ZIP+4) right after a geographic span, with at most a comma and a
 * two-letter state between: `Shelbyville 02139 with Ruth`, `lives in Dorchester, MA 02124 now`.
 * The address-block rule takes a ZIP only where the block ends its clause; 45 CFR
 * §164.514(b)(2)(i)(B) covers the ZIP wherever it stands. The spans found are the ZIP codes alone
 * (a state between stays: Safe Harbor keeps states); the caller merges.
 */
export function zipAfterPlaceSpans(text: string, spans: readonly DetectedSpan[]): DetectedSpan[] {
  const out: DetectedSpan[] = [];
  for (const span of spans) {
    if (span.category !== 'geographic') continue;
    ZIP_AFTER.lastIndex = span.end;
    const zip = ZIP_AFTER.exec(text)?.[1];
    if (zip === undefined) continue;
    out.push({ start: ZIP_AFTER.lastIndex - zip.length, end: ZIP_AFTER.lastIndex, category: 'geographic', detector: 'context.zip-after-place', strength: SPAN_STRENGTH.context });
  }
  return out;
}
