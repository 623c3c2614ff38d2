import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';

const NAME_WORD = /\p{Lu}[\p{Ll}\p{Lu}'’-]{2,}/gu;
/** Parts of a name span that are no name (`Alice Nguyen PhD`, `Thomas Whitcombe Jr.`). */
const DEGREE_OR_SUFFIX = /^(?:PhD|DDS|DMD|DNP|MSN|MPH|FNP|FACP|FACS|RN|MD|Jr|Sr|III|Esq)$/;

/**
 * Names found once are names everywhere in the same text: a capitalized word of at least three
 * letters from a detected name span (`Alvir D. Pu`) is taken at its other occurrences with the
 * same spelling (`Alvir spent a year ...`, `Alvir's`), where a sentence start or a lone mention
 * gave the other detectors no evidence. Common English and clinical words (`Will`, `Parkinson`)
 * are not repeated: they need their own evidence at each place. Returns the new spans.
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
  const alternatives = [...words].sort((a, b) => b.length - a.length); // letters, apostrophes and hyphens only: nothing to escape
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const out: DetectedSpan[] = [];
  // Spans are sorted and non-overlapping: walk them alongside the matches.
  let k = 0;
  for (const m of text.matchAll(pattern)) {
    const start = m.index;
    const end = start + m[0].length;
    while (k < spans.length && (spans[k]?.end ?? 0) <= start) k++;
    const covering = spans[k];
    if (covering !== undefined && covering.start <= start && covering.end >= end) continue;
    out.push({ start, end, category: 'name', detector: 'context.repeated-name', strength: SPAN_STRENGTH.dictionary });
  }
  return out;
}
