import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

// Street addresses outside the US, 45 CFR §164.514(b)(2)(i)(B) ("street address"): continental
// European forms put the house number after the street name (`Snellmaninkatu 55`, `Ringvej 144`,
// `Via Franscini 71`), which the US `123 Main Street` rule cannot see.

/** Street-name endings that are street words in Nordic, German, Dutch, Hungarian, Slavic languages. */
const STREET_ENDING = /(?:katu|kuja|tie|gade|vej|gata|gatan|vägen|väg|veien|vegen|straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|plein|utca|ulica|ulice|cesta)$/u;
/** A blank then a digit: where a house number may follow a street name (found fast, then checked). */
const BLANK_DIGIT = /[ \t]\d/g;
/** Street words written before the name (Romance languages, Polish `ul.`). */
const PREFIX_STREET =
  /(?:Via|Viale|Piazza|Corso|Largo|Strada|Rue|Calle|Carrer|Avenida|Rua|Travessa|Paseo|Plaza|Ul\.|ul\.)[ \t]+(?:(?:\p{Lu}[\p{L}'’.-]*|de|del|della|dei|di|da|do|dos|das|la|le|les|du|des)[ \t]+){0,4}\p{Lu}[\p{L}'’.-]*[ \t]+\d{1,5}[A-Za-z]?(?![\p{L}\d])/gu;
const PREFIX_WORDS: readonly string[] = ['Via', 'Viale', 'Piazza', 'Corso', 'Largo', 'Strada', 'Rue', 'Calle', 'Carrer', 'Avenida', 'Rua', 'Travessa', 'Paseo', 'Plaza', 'Ul.', 'ul.'];
const LETTER_OR_DIGIT = /[\p{L}\d]/u;
const WORD_BEFORE = /(?<![\p{L}\d])\p{Lu}[\p{L}'’-]*\.?$/u;
const HOUSE_BEFORE = /(?<![\p{L}\d.,])\d{1,6}[A-Za-z]?[ \t]+$/u;
const NUMBER_AFTER = /^[ \t]+\d{1,5}[A-Za-z]?(?![\p{L}\d])\.?/u;

/**
 * `Snellmaninkatu 55`, `040 Snellmaninkatu 55`, `Via Franscini 71`, `Rue de la Paix 12`: a
 * capitalized street name with a street ending or a street word before it, then a house number;
 * a house number before it joins the span.
 */
export function findInternationalStreets(text: string, out: DetectedSpan[]): void {
  const blank = BLANK_DIGIT;
  blank.lastIndex = 0;
  for (let m = blank.exec(text); m !== null; m = blank.exec(text)) {
    const at = m.index;
    const before = text.charCodeAt(at - 1);
    // a letter (any script) or the period of `str.` right before the blank
    if (!(before === 46 || (before >= 97 && before <= 122) || before > 127)) continue;
    if (!STREET_ENDING.test(text.slice(Math.max(0, at - 7), at))) continue;
    const word = WORD_BEFORE.exec(text.slice(Math.max(0, at - 40), at))?.[0];
    if (word === undefined) continue;
    const number = NUMBER_AFTER.exec(text.slice(at, at + 12))?.[0];
    if (number === undefined) continue;
    let start = at - word.length;
    start -= HOUSE_BEFORE.exec(text.slice(Math.max(0, start - 12), start))?.[0].length ?? 0;
    out.push({ start, end: at + number.length, category: 'geographic', detector: 'regex.street-intl', strength: SPAN_STRENGTH.pattern });
  }
  // Rare words: a plain substring search first is far cheaper than the regex over the whole text.
  if (!PREFIX_WORDS.some((w) => text.includes(w))) return;
  const prefix = PREFIX_STREET;
  prefix.lastIndex = 0;
  for (let m = prefix.exec(text); m !== null; m = prefix.exec(text)) {
    // the street word starts a word (checked here: a lookbehind first would run at every position)
    if (m.index > 0 && LETTER_OR_DIGIT.test(text.charAt(m.index - 1))) {
      prefix.lastIndex = m.index + 1;
      continue;
    }
    const start = m.index - (HOUSE_BEFORE.exec(text.slice(Math.max(0, m.index - 12), m.index))?.[0].length ?? 0);
    out.push({ start, end: m.index + m[0].length, category: 'geographic', detector: 'regex.street-intl', strength: SPAN_STRENGTH.pattern });
  }
}
