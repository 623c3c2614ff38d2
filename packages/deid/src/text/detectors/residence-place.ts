import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

const PLACE_WORD = String.raw`\p{Lu}[\p{L}'’-]*`;
/** A capitalized place of up to four words that ends the clause, read from just after the preposition. */
const PLACE = new RegExp(String.raw`(?:the[ \t]+)?(${PLACE_WORD}(?:[ \t]+(?:${PLACE_WORD}|de|la|del|am|an|der|sur|upon)){0,3})(?=[ \t]*(?:[,.?!;:)]|$|\r?\n|[ \t]+\p{Ll}))`, 'uy');
/** The verb of living or travelling right before the preposition. */
const VERB_BEFORE = /\b(?:lives?|living|lived|grew[ \t]+up|born|based|moved|relocated|flew|flying|travell?ed|travell?ing|trip|returned|originally|resides?|residing|I[ \t]+am|I['’]m)(?:[ \t]+(?:here|back|there|away))?[ \t]+$/;
const PREPOSITIONS = [' in ', ' to ', ' from '];
/** Care settings a patient moves to: not places (`moved to MICU`). */
const CARE_UNIT = /^(?:[A-Z]{0,3}ICU|CCU|PACU|ER|ED|OR|SNF|LTACH?|ALF|IRF|TCU|PCU|CDU|EMU|Rehab|REHAB|Hospice|HOSPICE)$/;

/**
 * Places of residence and travel (45 CFR §164.514(b)(2)(i)(B), geographic subdivisions): `grew up
 * in SUND`, `flew to LEPPEN`, `originally from ΕΓΚΩΜΗ`, `based in Kurzenkirchen`. The place must
 * be written in capitals, in a non-Latin script, or hold a word that is no common English or
 * clinical word, so `lives in Assisted Living` and `born in March` stay.
 */
export function residencePlaceSpans(text: string, isCommonWord: (lower: string) => boolean): DetectedSpan[] {
  const out: DetectedSpan[] = [];
  // Found from the preposition: most are followed by a lower-case word and cost one comparison.
  for (const prep of PREPOSITIONS) {
    for (let at = text.indexOf(prep); at >= 0; at = text.indexOf(prep, at + 1)) {
      const after = at + prep.length;
      const next = text.charCodeAt(after);
      if (next >= 97 && next <= 122 && !text.startsWith('the ', after)) continue;
      if (next < 65 || (next > 90 && next < 128)) continue;
      if (!VERB_BEFORE.test(text.slice(Math.max(0, at - 24), at + 1))) continue;
      PLACE.lastIndex = after;
      const place = PLACE.exec(text)?.[1];
      if (place === undefined) continue;
      const words = place.split(/[ \t]+/).filter((w) => /^\p{Lu}/u.test(w));
      const sure = words.some((w) => (!CARE_UNIT.test(w) && (w === w.toUpperCase() ? w.length >= 4 : w.length >= 3 && !isCommonWord(w.toLowerCase()))) || /[^\p{Script=Latin}'’-]/u.test(w));
      if (!sure) continue;
      const start = PLACE.lastIndex - place.length;
      out.push({ start, end: PLACE.lastIndex, category: 'geographic', detector: 'context.residence', strength: SPAN_STRENGTH.context });
    }
  }
  return out;
}
