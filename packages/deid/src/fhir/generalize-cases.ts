import { isJsonObject } from './element-tree.ts';
import type { FhirPathRule } from './fhir-rule.ts';

/**
 * FHIRPath names a `generalize` case may use and still read nothing but the value itself: the
 * functions on strings, numbers and dates of FHIRPath N1 §5 and the operators of §6. No element
 * names (`$this.extension`, `id`), no environment variables (`%resource`, `%context`), no
 * `resolve()`: what such a case reads could have been changed by another rule, in the tree engine's
 * rule order or in the plan's document order, and the two could then differ.
 */
const VALUE_ONLY: ReadonlySet<string> = new Set([
  'and', 'or', 'xor', 'implies', 'not', 'in', 'contains', 'div', 'mod', 'is', 'as', 'true', 'false',
  'exists', 'empty', 'count', 'first', 'last', 'single', 'iif', 'toString', 'toInteger', 'toDecimal', 'toDate',
  'toDateTime', 'toTime', 'toBoolean', 'toQuantity', 'convertsToString', 'convertsToInteger', 'convertsToDecimal',
  'convertsToDate', 'convertsToDateTime', 'startsWith', 'endsWith', 'substring', 'indexOf', 'matches', 'replace',
  'replaceMatches', 'length', 'upper', 'lower', 'toChars', 'trim', 'split', 'join', 'abs', 'ceiling', 'floor',
  'round', 'truncate', 'sqrt', 'ln', 'log', 'power', 'exp', 'year', 'month', 'day',
]);

// Quoted strings, `@` date/time literals and `$this`/`$index`/`$total` carry no element names.
const LITERALS = /'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|@[0-9T:+\-.Z]*|\$(?:this|index|total)\b/g;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/g;

function valueOnly(expression: string): boolean {
  const bare = expression.replace(LITERALS, ' ');
  if (bare.includes('%') || bare.includes('$')) return false;
  for (const m of bare.matchAll(NAME)) {
    const before = bare.charAt(m.index - 1);
    if (/[0-9]/.test(before)) continue; // a number's exponent or unit, e.g. `1e3`
    if (!VALUE_ONLY.has(m[0])) return false;
  }
  return true;
}

/** True when every case (predicate and replacement) of a `generalize` rule reads only the value. */
export function generalizeReadsOnlyValue(rule: FhirPathRule): boolean {
  const cases = rule.settings?.cases;
  if (!isJsonObject(cases)) return false;
  for (const [predicate, replacement] of Object.entries(cases)) {
    if (typeof replacement !== 'string' || !valueOnly(predicate) || !valueOnly(replacement)) return false;
  }
  return true;
}
