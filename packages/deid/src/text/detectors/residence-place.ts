import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

const PLACE = String.raw`\p{Lu}[\p{L}'’-]*(?:[ \t]+(?:\p{Lu}[\p{L}'’-]*|de|la|del|am|an|der|sur|upon)){0,3}`;
/** A verb of living or travelling with its preposition, then a capitalized place that ends the clause. */
const RESIDENCE = new RegExp(
  String.raw`\b(?:lives?|living|lived|grew[ \t]+up|born|based|moved|relocated|flew|flying|travell?ed|travell?ing|trip|returned|originally|resides?|residing|I[ \t]+am|I['’]m)(?:[ \t]+(?:here|back|there|away))?[ \t]+(?:in|to|from)[ \t]+(?:the[ \t]+)?(${PLACE})(?=[ \t]*(?:[,.?!;:)]|$|\r?\n|[ \t]+\p{Ll}))`,
  'gu',
);
/** Care settings a patient moves to: not places (`moved to MICU`). */
const CARE_UNIT = /^(?:[A-Z]{0,3}ICU|CCU|PACU|ER|ED|OR|SNF|LTACH?|ALF|IRF|TCU|PCU|CDU|EMU|Rehab|REHAB|Hospice|HOSPICE)$/;
const CUES = ['live', 'living', 'grew', 'born', 'based', 'moved', 'relocated', 'flew', 'flying', 'travel', 'trip', 'returned', 'originally', 'resid', 'I am', 'I’m', "I'm"];

/**
 * Places of residence and travel (45 CFR §164.514(b)(2)(i)(B), geographic subdivisions): `grew up
 * in SUND`, `flew to LEPPEN`, `originally from ΕΓΚΩΜΗ`, `based in Kurzenkirchen`. The place must
 * be written in capitals, in a non-Latin script, or hold a word that is no common English or
 * clinical word, so `lives in Assisted Living` and `born in March` stay.
 */
export function residencePlaceSpans(text: string, isCommonWord: (lower: string) => boolean): DetectedSpan[] {
  if (!CUES.some((c) => text.includes(c))) return [];
  const out: DetectedSpan[] = [];
  for (const m of text.matchAll(RESIDENCE)) {
    const place = m[1];
    if (place === undefined) continue;
    const words = place.split(/[ \t]+/).filter((w) => /^\p{Lu}/u.test(w));
    const sure = words.some((w) => (!CARE_UNIT.test(w) && (w === w.toUpperCase() ? w.length >= 4 : w.length >= 3 && !isCommonWord(w.toLowerCase()))) || /[^\p{Script=Latin}'’-]/u.test(w));
    if (!sure) continue;
    const start = m.index + m[0].length - place.length;
    out.push({ start, end: start + place.length, category: 'geographic', detector: 'context.residence', strength: SPAN_STRENGTH.context });
  }
  return out;
}
