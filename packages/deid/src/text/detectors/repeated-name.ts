import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';
import { covered, isWordChar } from './span-lookup.ts';

const NAME_WORD = /\p{Lu}[\p{Ll}\p{Lu}'’-]{2,}/gu;
/** Parts of a name span that are no name (`Alice Nguyen PhD`, `Thomas Whitcombe Jr.`). */
const DEGREE_OR_SUFFIX = /^(?:PhD|DDS|DMD|DNP|MSN|MPH|FNP|FACP|FACS|RN|MD|Jr|Sr|III|Esq)$/;

/**
 * Names found once are names everywhere in the same text: a capitalized word of at least three
 * letters from a detected name span (`Alvir D. Pu`) is taken at its other occurrences in any
 * letter case (`Alvir spent a year ...`, `Alvir's`, `ALVIR`, `cc: mrs alvir`), where a sentence
 * start, capitals or a lone lower-case mention gave the other detectors no evidence. Common
 * English and clinical words (`Will`, `Parkinson`) are not repeated: they need their own
 * evidence at each place. Returns the new spans.
 */
export function repeatedNameSpans(text: string, spans: readonly DetectedSpan[], isCommonWord: (lower: string) => boolean): DetectedSpan[] {
  const words = new Set<string>();
  for (const s of spans) {
    if (s.category !== 'name') continue;
    for (const m of text.slice(s.start, s.end).matchAll(NAME_WORD)) {
      const word = m[0].replace(/['’-]+$/, '').replace(/['’]s$/, '');
      if (word.length >= 3 && !DEGREE_OR_SUFFIX.test(word) && !(word.length <= 3 && word === word.toUpperCase()) && !isCommonWord(word.toLowerCase())) words.add(word);
    }
  }
  if (words.size === 0) return [];
  const out: DetectedSpan[] = [];
  // Searched in a lower-cased copy. Not in a text that is not English (a Spanish note's
  // capitalized headings are taken for names, and their words recur lower-case as ordinary
  // words), nor where lower-casing changes the length (`İ`): offsets would not map back. There
  // only the spelling found is searched.
  const lowered = text.toLowerCase();
  const folded = lowered.length === text.length && !notEnglish(text);
  const haystack = folded ? lowered : text;
  const needles = folded ? new Set([...words].map((w) => w.toLowerCase())) : words;
  // A native substring search per word (a few words per note) is cheaper than compiling a pattern.
  for (const word of needles) {
    for (let at = haystack.indexOf(word); at >= 0; at = haystack.indexOf(word, at + word.length)) {
      const end = at + word.length;
      if (isWordChar(text, at - 1) || isWordChar(text, end)) continue;
      if (!covered(spans, at, end)) out.push({ start: at, end, category: 'name', detector: 'context.repeated-name', strength: SPAN_STRENGTH.dictionary });
    }
  }
  return out;
}

/** A lower-case letter English writes without (`años`, `exploración`). */
const ACCENTED_LETTER = /[à-öø-ÿ]/g;
/** More such letters than this: the text is not English (as the name detector's foreign-text rule). */
const ACCENTED_LETTERS_MAX = 3;

function notEnglish(text: string): boolean {
  let n = 0;
  ACCENTED_LETTER.lastIndex = 0;
  while (ACCENTED_LETTER.test(text)) if (++n > ACCENTED_LETTERS_MAX) return true;
  return false;
}
