import { SPAN_STRENGTH, type DetectedSpan, type SpanDetector } from '../detected-span.ts';
import { findInternationalStreets } from './international-street.ts';
import { STATE_CODES, STATE_NAMES, type PatternRule } from './pattern-rules.ts';

interface CompiledRule {
  readonly rule: PatternRule;
  readonly group: string;
  readonly valueGroup: string | undefined;
}

interface Family {
  readonly regex: RegExp;
  readonly rules: readonly CompiledRule[];
  /** Run only when the text contains one of these literal strings (rare families); undefined: always. */
  readonly trigger: RegExp | undefined;
}

const FAX_CONTEXT = /\bfax\b|\bfacsimile\b/i;
/** `, MA 02114` or `, Massachusetts`: the state after a city (the city is found walking back). */
const CITY_STATE = new RegExp(`,[ \\t]*(?:(?:${STATE_NAMES})\\b|(?:${STATE_CODES})\\b(?=[ \\t]+\\d{5}\\b))`, 'g');
const CITY_WORD = /[A-Z][A-Za-z'’.-]+$/;

function compile(rules: readonly PatternRule[], offset: number): { source: string; compiled: CompiledRule[] } {
  const compiled: CompiledRule[] = [];
  const parts = rules.map((rule, k) => {
    const i = offset + k;
    const group = `r${i}`;
    const valueGroup = rule.hasValue === true ? `v${i}` : undefined;
    compiled.push({ rule, group, valueGroup });
    return `(?<${group}>${valueGroup === undefined ? rule.source : rule.source.replace('(?<v>', `(?<${valueGroup}>`)})`;
  });
  return { source: parts.join('|'), compiled };
}

/**
 * The pattern families compiled into few regular expressions: every rule that starts with a digit
 * in one alternation (the regex engine skips letters quickly), every rule that starts at a word in
 * another, and rare families (e-mail, URL, IPv6, hospitals) alone, only when their trigger is in
 * the text. A city before `, ST 12345` is found from the state backwards; mixed letter-digit
 * identifiers from their digits. Labelled identifiers
 * (`MRN: ...`) win over generic numbers on overlap.
 */
export class PatternDetector implements SpanDetector {
  readonly id = 'regex';
  readonly #families: readonly Family[];

  constructor(rules: readonly PatternRule[]) {
    const families: Family[] = [];
    let offset = 0;
    for (const lead of ['digit', 'word'] as const) {
      const group = rules.filter((r) => r.lead === lead);
      const { source, compiled } = compile(group, offset);
      offset += group.length;
      families.push({ regex: new RegExp(source, 'gd'), rules: compiled, trigger: undefined });
    }
    for (const rule of rules.filter((r) => r.lead === 'rare')) {
      const { source, compiled } = compile([rule], offset++);
      // One test of the alternated literals instead of a substring search per trigger (up to 18).
      const triggers = rule.triggers ?? [];
      const trigger = triggers.length === 0 ? undefined : new RegExp(triggers.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
      families.push({ regex: new RegExp(source, 'gd'), rules: compiled, trigger });
    }
    this.#families = families;
  }

  detect(text: string, out: DetectedSpan[]): void {
    for (const family of this.#families) {
      if (family.trigger !== undefined && !family.trigger.test(text)) continue;
      this.#run(family, text, out);
    }
    cityBeforeState(text, out);
    findInternationalStreets(text, out);
    scanDigitTokens(text, out);
  }

  #run(family: Family, text: string, out: DetectedSpan[]): void {
    const regex = family.regex;
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const groups = m.indices?.groups;
      if (groups === undefined) continue;
      for (const c of family.rules) {
        const whole = groups[c.group];
        if (whole === undefined) continue;
        const range = c.valueGroup === undefined ? whole : (groups[c.valueGroup] ?? whole);
        let category = c.rule.category;
        if ((category === 'phone' || c.rule.name === 'phone-generic') && FAX_CONTEXT.test(text.slice(Math.max(0, range[0] - 16), range[0]))) category = 'fax';
        const strength = c.valueGroup === undefined ? SPAN_STRENGTH.pattern : SPAN_STRENGTH.labelled;
        out.push({ start: range[0], end: range[1], category, detector: `regex.${c.rule.name}`, strength });
        break;
      }
    }
  }
}

/** `Springfield, MA 01101`, `Salt Lake City, Utah`: up to three capitalized words before the state. */
function cityBeforeState(text: string, out: DetectedSpan[]): void {
  const re = CITY_STATE;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const end = m.index;
    let start = end;
    for (let words = 0; words < 3; words++) {
      const w = CITY_WORD.exec(text.slice(Math.max(0, start - 40), start));
      if (w === null) break;
      start -= w[0].length;
      // another word before it, separated by one space?
      if (text.charCodeAt(start - 1) !== 32 || !/[A-Za-z'’.-]/.test(text.charAt(start - 2))) break;
      if (CITY_WORD.exec(text.slice(Math.max(0, start - 41), start - 1)) === null) break;
      start -= 1;
    }
    if (start < end && /[A-Z]/.test(text.charAt(start))) out.push({ start, end, category: 'geographic', detector: 'regex.city-state', strength: SPAN_STRENGTH.pattern });
  }
}

const DIGITS = /\d+/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV6_FULL = /^[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}$/;
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const ALNUM_ID = /^[A-Za-z]{1,4}-?\d[A-Za-z0-9-]{3,}$/;

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

/**
 * Identifiers that mix letters and digits (`A1234567`, VINs, UUIDs, full IPv6): found from their
 * digits (the regex engine skips text without digits quickly), then widened to the whole token
 * and classified. ISO 3779 VINs: 17 characters without I, O, Q, with letters and digits.
 */
function scanDigitTokens(text: string, out: DetectedSpan[]): void {
  const re = DIGITS;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let start = m.index;
    let end = start + m[0].length;
    while (start > 0 && isTokenChar(text.charCodeAt(start - 1))) start--;
    while (end < text.length && isTokenChar(text.charCodeAt(end))) end++;
    re.lastIndex = end;
    while (end > start && (text.charCodeAt(end - 1) === 58 || text.charCodeAt(end - 1) === 45)) end--;
    while (start < end && (text.charCodeAt(start) === 58 || text.charCodeAt(start) === 45)) start++;
    if (end - start < 6) continue;
    const token = text.slice(start, end);
    let rule: string | undefined;
    let category: DetectedSpan['category'] = 'other-id';
    if (UUID.test(token)) rule = 'uuid';
    else if (IPV6_FULL.test(token)) [rule, category] = ['ip6', 'ip'];
    else if (VIN.test(token) && /[A-Z]/.test(token)) [rule, category] = ['vin', 'vehicle'];
    else if (ALNUM_ID.test(token) && (token.match(/\d/g)?.length ?? 0) >= 4) rule = 'alnum-id';
    if (rule !== undefined) out.push({ start, end, category, detector: `regex.${rule}`, strength: SPAN_STRENGTH.pattern });
  }
}
