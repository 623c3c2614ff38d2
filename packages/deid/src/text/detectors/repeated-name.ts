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
  const out: DetectedSpan[] = [];
  // A native substring search per word (a few words per note) is cheaper than compiling a pattern.
  for (const word of words) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
      const end = at + word.length;
      if (isWordChar(text, at - 1) || isWordChar(text, end)) continue;
      if (!covered(spans, at, end)) out.push({ start: at, end, category: 'name', detector: 'context.repeated-name', strength: SPAN_STRENGTH.dictionary });
    }
  }
  return out;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
function isWordChar(text: string, at: number): boolean {
  const ch = text[at];
  if (ch === undefined) return false;
  const code = ch.charCodeAt(0);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return WORD_CHAR.test(ch);
}

/** Whether [start, end) lies inside one of the sorted, non-overlapping spans (binary search). */
function covered(spans: readonly DetectedSpan[], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid];
    if (s === undefined) return false;
    if (s.end <= start) lo = mid + 1;
    else if (s.start > start) hi = mid - 1;
    else return s.end >= end;
  }
  return false;
}
