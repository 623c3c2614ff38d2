import { SPAN_STRENGTH, type DetectedSpan } from '../detected-span.ts';
import { normalizeToken, type Dictionaries } from '../dictionaries.ts';

// Person names (45 CFR §164.514(b)(2)(i)(A)) in shapes the capitalized-token pass cannot see:
// lower-case particles between capitalized parts, and lower-case names with a middle initial.

// Both shapes are found from their rare middle (particles, a one-letter word) and widened, so the
// regex engine skips ordinary text quickly.
/** `Maika van de Noort`, `Willemine ten Pas`: lower-case particles between a given part and a capitalized surname. */
const PARTICLES = /[ \t](?:(?:van|von|de|der|den|ten|ter|du|da|di|del|della|dos|das|la|le|bin|ibn)[ \t]+)+(?=\p{Lu})/gu;
const GIVEN_BEFORE = /(?<![\p{L}\d])\p{Lu}[\p{Ll}'’-]+[ \t]*$/u;
const SURNAME_AFTER = /^\p{Lu}[\p{L}'’-]+(?![\p{L}\d])/u;
/**
 * `emidio p lombardo`, `hyuuma t. maida`: a one-letter middle initial between lower-case words. Not
 * English (`a`, `i`, `o`) or clinical shorthand (`q` 4h, `x` 3 days, `r`/`l` side, `c` with, `s` without).
 */
const LOWER_INITIAL = /[ \t][bdefghjkmnptuvwyz]\.?[ \t]+(?=\p{Ll})/gu;
const LOWER_BEFORE = /(?<![\p{L}\d])\p{Ll}[\p{Ll}'’-]{2,}[ \t]*$/u;
const LOWER_AFTER = /^\p{Ll}[\p{Ll}'’-]{2,}(?![\p{L}\d])/u;
const NEXT_WORD = /^(?:['’]s)?[ \t]+(\p{L}+)/u;

/**
 * Finds names the token pass misses: `Given [van de] Surname` with lower-case particles (unless
 * an eponym follows: `Cornelia de Lange syndrome`), and lower-case `given m surname` where one
 * part is a listed name or the three words fill their line (a signature or address block).
 * `eponymNext` are the words that make a preceding name a disease or sign.
 */
export function findPatternNames(text: string, dict: Dictionaries, eponymNext: ReadonlySet<string>, out: DetectedSpan[]): void {
  const plain = (w: string): boolean => {
    const n = normalizeToken(w);
    return dict.english.has(n) || dict.clinicalAllow.has(n);
  };
  const listed = (w: string): boolean => {
    const n = normalizeToken(w);
    return dict.firstNames.has(n) || dict.surnames.has(n);
  };
  const particles = PARTICLES;
  particles.lastIndex = 0;
  for (let m = particles.exec(text); m !== null; m = particles.exec(text)) {
    const at = m.index + 1;
    const given = GIVEN_BEFORE.exec(text.slice(Math.max(0, at - 40), at))?.[0];
    const surname = SURNAME_AFTER.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 40))?.[0];
    if (given === undefined || surname === undefined) continue;
    if ((plain(given.trimEnd()) && !listed(given.trimEnd())) || plain(surname)) continue;
    const end = m.index + m[0].length + surname.length;
    const next = NEXT_WORD.exec(text.slice(end, end + 24))?.[1]?.toLowerCase();
    if (next !== undefined && eponymNext.has(next)) continue;
    out.push({ start: at - given.length, end, category: 'name', detector: 'dictionary.particle', strength: SPAN_STRENGTH.dictionary });
  }
  const lower = LOWER_INITIAL;
  lower.lastIndex = 0;
  for (let m = lower.exec(text); m !== null; m = lower.exec(text)) {
    const at = m.index + 1;
    const given = LOWER_BEFORE.exec(text.slice(Math.max(0, at - 40), at))?.[0];
    const surname = LOWER_AFTER.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 40))?.[0];
    if (given === undefined || surname === undefined) continue;
    const start = at - given.length;
    const end = m.index + m[0].length + surname.length;
    const g = given.trimEnd();
    if (plain(g) || plain(surname) || !(listed(g) || listed(surname) || fillsLine(text, start, end))) continue;
    out.push({ start, end, category: 'name', detector: 'dictionary.lower-initial', strength: SPAN_STRENGTH.dictionary });
  }
}

/** Only blanks and list markers (`>`, `-`, `*`, `?`) share the line with [start, end). */
function fillsLine(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  return /^[\s>*?•-]*$/.test(text.slice(lineStart, start)) && /^[\s.,;]*$/.test(text.slice(end, lineEnd));
}
