import { SPAN_STRENGTH, type DetectedSpan, type SpanDetector } from '../detected-span.ts';
import type { PatternRule } from './pattern-rules.ts';

interface CompiledRule {
  readonly rule: PatternRule;
  readonly group: string;
  readonly valueGroup: string | undefined;
}

const FAX_CONTEXT = /\bfax\b|\bfacsimile\b/i;

/**
 * All pattern rules compiled into one regular expression (`rule0|rule1|...`, each a named group),
 * so the text is scanned once. The `d` flag gives the offsets of value groups.
 */
export class PatternDetector implements SpanDetector {
  readonly id = 'regex';
  readonly #regex: RegExp;
  readonly #rules: readonly CompiledRule[];

  constructor(rules: readonly PatternRule[]) {
    const compiled: CompiledRule[] = [];
    const parts: string[] = [];
    rules.forEach((rule, i) => {
      const group = `r${i}`;
      const valueGroup = rule.hasValue === true ? `v${i}` : undefined;
      const source = valueGroup === undefined ? rule.source : rule.source.replace('(?<v>', `(?<${valueGroup}>`);
      parts.push(`(?<${group}>${source})`);
      compiled.push({ rule, group, valueGroup });
    });
    this.#regex = new RegExp(parts.join('|'), 'gd');
    this.#rules = compiled;
  }

  detect(text: string, out: DetectedSpan[]): void {
    const regex = new RegExp(this.#regex);
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const groups = m.indices?.groups;
      if (groups === undefined) continue;
      for (const c of this.#rules) {
        const whole = groups[c.group];
        if (whole === undefined) continue;
        const range = c.valueGroup === undefined ? whole : (groups[c.valueGroup] ?? whole);
        let category = c.rule.category;
        if (category === 'phone' && FAX_CONTEXT.test(text.slice(Math.max(0, range[0] - 16), range[0]))) category = 'fax';
        out.push({ start: range[0], end: range[1], category, detector: `regex.${c.rule.name}`, strength: SPAN_STRENGTH.pattern });
        break;
      }
    }
  }
}
