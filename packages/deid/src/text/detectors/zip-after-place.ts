import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

/** What may stand between a place and its ZIP code: a comma, blanks, a two-letter state. */
const ZIP_AFTER = /,?[ \t]+(?:[A-Z]{2},?[ \t]+)?(\d{5}(?:-\d{4})?)(?![\p{L}\p{N}-])/uy;
/**
 * A city item after an address, then its ZIP: `, Salem 01970`, `, Salem, MA 01970-1234`. The
 * city's words may be listed as names too (`Salem`), which is why they are not a place span yet.
 */
const CITY_ZIP_AFTER = /,[ \t]+(\p{Lu}[\p{L}'’.-]*(?:[ \t]+\p{Lu}[\p{L}'’.-]*){0,2})(?:,?[ \t]+[A-Z]{2})?,?[ \t]+(\d{5}(?:-\d{4})?)(?![\p{L}\p{N}-])/duy;

/**
 * A five-digit ZIP code (or ZIP+4) right after a geographic span, with at most a comma and a
 * two-letter state between (`Shelbyville 02139 with Ruth`, `lives in Dorchester, MA 02124 now`),
 * and after a street address the city item before such a ZIP (`9 Elm Rd, Salem 01970 with`).
 * The address-block rule takes these only where the block ends its clause; 45 CFR
 * §164.514(b)(2)(i)(B) covers the ZIP and the city wherever they stand. A state between stays
 * (Safe Harbor keeps states): the spans are the city and the ZIP alone. The caller merges.
 */
export function zipAfterPlaceSpans(text: string, spans: readonly DetectedSpan[]): DetectedSpan[] {
  const out: DetectedSpan[] = [];
  const span = (start: number, end: number): DetectedSpan => ({ start, end, category: 'geographic', detector: 'context.zip-after-place', strength: SPAN_STRENGTH.context });
  for (const place of spans) {
    if (place.category !== 'geographic') continue;
    ZIP_AFTER.lastIndex = place.end;
    const zip = ZIP_AFTER.exec(text)?.[1];
    if (zip !== undefined) {
      out.push(span(ZIP_AFTER.lastIndex - zip.length, ZIP_AFTER.lastIndex));
      continue;
    }
    CITY_ZIP_AFTER.lastIndex = place.end;
    const city = CITY_ZIP_AFTER.exec(text)?.indices;
    if (city?.[1] === undefined || city[2] === undefined) continue;
    out.push(span(city[1][0], city[1][1]), span(city[2][0], city[2][1]));
  }
  return out;
}
