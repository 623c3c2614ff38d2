import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

/** Detectors whose span is a line of a postal address (a block may follow or precede it). */
const ADDRESS_LINE_DETECTOR = /^regex\.(?:street|street-intl|address-labelled|unit|po-box|military-address|city-state|zip|postal-code)$/;

/** Between two items of an address block: a comma on the line, or a line break (one blank line and `>` quote marks allowed). */
const SEPARATOR = /[ \t]*,[ \t]*|[ \t]*\r?\n(?:[ \t>]*\r?\n)?[ \t>]*(?:,[ \t]*)?/y;

const POSTAL = String.raw`\d{4,6}(?:-\d{4})?`;
const PLACE_WORD = String.raw`\p{Lu}[\p{L}'’-]*`;
/** One item of a block; it must end its line or be followed by a comma or sentence punctuation. */
const ITEM = new RegExp(
  String.raw`(?:(?<unit>(?:Suite|Ste\.?|Apt\.?|Apartment|Unit|Floor|Room|Box)[ \t]*#?[ \t]*[\dA-Za-z]{1,6})` +
    String.raw`|(?<zip>\d{3,6}(?:[ -]\d{2,4})?)` +
    String.raw`|(?<state>[A-Z]{2}(?:[ \t]+${POSTAL})?)` +
    String.raw`|(?<place>${PLACE_WORD}(?:[ \t]+(?:${PLACE_WORD}|\(\p{Lu}\p{L}*\)|de|la|del|do|da|am|an|der|sur|upon)){0,3})(?<postal>,?[ \t]+(?:[A-Z]{2}[ \t]+)?${POSTAL})?)` +
    String.raw`(?=[ \t]*(?:[,.?!;]|\r?\n|$))`,
  'uy',
);

/** `NUMBER [NUMBER] Word [word] NUMBER` right before a unit or block line: a street line without a street word (`20789 Allika 46`, `233 Erzsébet tér 19.`). */
const STREET_BEFORE = /(?:^|[\s>:])((?:\d{1,6}[ \t]+){1,2}(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)\p{Lu}[\p{L}'’.-]*(?:[ \t]+[\p{L}'’.-]+){0,3}[ \t]+\d{1,5}\.?)[ \t]*,?[ \t]*(?:\r?\n[ \t>]*)?$/u;
const MAX_ITEMS = 6;

/**
 * Extends postal address spans over the rest of their block (45 CFR §164.514(b)(2)(i)(B): street,
 * city, ZIP): after a street, unit, P.O. box or ZIP line, the following comma- or line-separated
 * items that look like address lines (`Suite 501`, `LAPPEENRANTA`, `, CO`, `Hungary 34796`,
 * `53650`), and before a unit line a `number Word number` street line. A place item without digits
 * is taken only when one of its words is no common English or clinical word, or when a further item
 * follows, so a section header after an address stays. Returns the new spans (the caller merges).
 */
export function addressBlockSpans(text: string, spans: readonly DetectedSpan[], isCommonWord: (lower: string) => boolean): DetectedSpan[] {
  const out: DetectedSpan[] = [];
  for (const span of spans) {
    if (span.category !== 'geographic' || !ADDRESS_LINE_DETECTOR.test(span.detector)) continue;
    const end = blockEnd(text, span.end, isCommonWord);
    const lineStart = Math.max(text.lastIndexOf('\n', span.start - 1) + 1, 0);
    const before = STREET_BEFORE.exec(text.slice(Math.max(0, text.lastIndexOf('\n', lineStart - 2) + 1), span.start));
    const start = before?.[1] === undefined ? span.start : span.start - (before[0].length - before[0].indexOf(before[1]));
    if (end > span.end || start < span.start) out.push({ start, end, category: 'geographic', detector: 'context.address-block', strength: SPAN_STRENGTH.context });
  }
  return out;
}

function blockEnd(text: string, from: number, isCommonWord: (lower: string) => boolean): number {
  let committed = from;
  let at = from;
  for (let i = 0; i < MAX_ITEMS; i++) {
    SEPARATOR.lastIndex = at;
    const sep = SEPARATOR.exec(text);
    if (sep === null) break;
    ITEM.lastIndex = at + sep[0].length;
    const item = ITEM.exec(text);
    if (item?.groups === undefined) break;
    at = ITEM.lastIndex;
    const place = item.groups.place;
    const sure = place === undefined || item.groups.postal !== undefined || place.split(/[ \t]+/).some((w) => /^\p{Lu}/u.test(w) && !isCommonWord(w.toLowerCase().replace(/[.'’]+$/, '')));
    if (sure) committed = at;
    // An uncertain place (common words only) counts only if a further item follows it.
  }
  return committed;
}
