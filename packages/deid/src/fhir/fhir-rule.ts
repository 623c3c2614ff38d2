import fhirpath from 'fhirpath';
import { FhirDeidError } from './fhir-deid-error.ts';
import { FHIR_PRIMITIVE_TYPES, R4_MODEL } from './fhir-model.ts';
import { type WherePredicate, compileWhere, splitWhere } from './where-predicate.ts';

/**
 * Methods of the Microsoft FHIR Tools for Anonymization (docs/FHIR-anonymization.md
 * "fhirPathRules"), plus ours: `pseudonymize` (ids and references through the patient context)
 * `text` (free text through the TextDeidentifier port) and `kind` (the value is of a profile's
 * value kind, `settings.kind`, e.g. `geographic.zip`; the profile's method for it applies).
 */
export const FHIR_RULE_METHODS = [
  'redact', 'dateShift', 'cryptoHash', 'encrypt', 'substitute', 'perturb', 'generalize', 'keep', 'pseudonymize', 'text', 'kind',
] as const;
export type FhirRuleMethod = (typeof FHIR_RULE_METHODS)[number];

/** One rule: a FHIRPath `path` and a `method`, with the method's settings (cases, replaceWith, span, ...). */
export interface FhirPathRule {
  readonly path: string;
  readonly method: FhirRuleMethod;
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A FHIRPath evaluator compiled once (the `fhirpath` package, R4 model, internal nodes kept). */
export type CompiledPath = (data: unknown) => unknown[];

/**
 * How the compiled plan (compiled-plan.ts) reads a rule with a `where(...)` filter; the element-tree
 * engine keeps evaluating `match` with the `fhirpath` package. `type-where`:
 * `nodesByType('T').where(P)` (T a complex type); `root-where`: `Type.where(P)` optionally followed
 * by child steps, the filter applying to the resource.
 */
export type PlanMatch =
  | { readonly kind: 'type-where'; readonly key: string; readonly where: WherePredicate }
  | { readonly kind: 'root-where'; readonly where: WherePredicate; readonly steps: readonly string[] };

export interface CompiledRule {
  readonly index: number;
  readonly rule: FhirPathRule;
  /** `Patient` in `Patient.name`; empty for rules on every resource (`nodesByType(...)`, `Resource.id`). */
  readonly resourceType: string;
  /** Expressions this rule's method compiles while it runs (generalize cases), kept with the rule. */
  readonly memo: Map<string, CompiledPath>;
  readonly match:
    | { readonly kind: 'resource' }
    | { readonly kind: 'type' | 'name'; readonly key: string; readonly child: string | undefined }
    | { readonly kind: 'path'; readonly steps: readonly string[] }
    | { readonly kind: 'type-then'; readonly key: string; readonly then: (base: string) => CompiledPath }
    | { readonly kind: 'fhirpath'; readonly evaluate: CompiledPath };
  /** Set for `where(...)` rules the compiled plan can run (see {@link PlanMatch}). */
  readonly plan?: PlanMatch;
}

// The Microsoft tool's rule grammar (AnonymizationFhirPathRule.cs): a leading resource type, then
// an expression; `nodesByType('T')` / `nodesByName('n')` with at most one child step are look-ups.
const TYPE_RULE = /^nodesByType\(['"]([A-Za-z0-9]+)['"]\)(?:\.([A-Za-z0-9]+))?$/;
const NAME_RULE = /^nodesByName\(['"]([A-Za-z0-9]+)['"]\)(?:\.([A-Za-z0-9]+))?$/;
const TYPE_THEN = /^nodesByType\(['"]([A-Za-z0-9]+)['"]\)\.(.+)$/s;
const PATH = /^([A-Z][a-zA-Z]*)?\.?(.*)$/s;
const SIMPLE_PATH = /^[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*$/;
const GENERAL_TYPES = new Set(['', 'Resource', 'DomainResource']);

function compilePath(expression: string, base: string | undefined, where: string): CompiledPath {
  try {
    const fn = fhirpath.compile(base === undefined ? expression : { base, expression }, R4_MODEL, { resolveInternalTypes: false, async: false });
    return (data: unknown) => fn(data) as unknown[];
  } catch (cause) {
    throw new FhirDeidError('fhir-bad-config', 'a rule path is not valid FHIRPath', { cause, place: { path: where } });
  }
}

export interface CompileOptions {
  /**
   * Evaluate `nodesByType('T')` rules with the `fhirpath` package (`descendants().ofType(FHIR.T)`)
   * instead of the type index of the walked tree. Same result, slower: kept to measure the fast path.
   */
  readonly fhirPathOnly?: boolean;
}

/** Compiles a rule list once (per profile or configuration). */
export function compileRules(rules: readonly FhirPathRule[], options: CompileOptions = {}): readonly CompiledRule[] {
  return rules.map((rule, index) => {
    const m = PATH.exec(rule.path);
    const resourceType = m?.[1] ?? '';
    const expression = m?.[2] === undefined || m[2] === '' ? rule.path : m[2];
    const where = `fhirPathRules[${String(index)}]`;
    if (expression === rule.path && resourceType !== '' && rule.path === resourceType) {
      return { index, rule, memo: new Map(), resourceType: GENERAL_TYPES.has(resourceType) ? '' : resourceType, match: { kind: 'resource' } };
    }
    const rt = GENERAL_TYPES.has(resourceType) ? '' : resourceType;
    const byType = TYPE_RULE.exec(expression);
    if (byType?.[1] !== undefined && options.fhirPathOnly === true) {
      const fp = `descendants().ofType(FHIR.${byType[1]})${byType[2] === undefined ? '' : `.${byType[2]}`}`;
      return { index, rule, memo: new Map(), resourceType: rt, match: { kind: 'fhirpath', evaluate: compilePath(fp, undefined, where) } };
    }
    if (byType?.[1] !== undefined) return { index, rule, memo: new Map(), resourceType: rt, match: { kind: 'type', key: byType[1], child: byType[2] } };
    const byName = NAME_RULE.exec(expression);
    if (byName?.[1] !== undefined) return { index, rule, memo: new Map(), resourceType: rt, match: { kind: 'name', key: byName[1], child: byName[2] } };
    const then = TYPE_THEN.exec(expression);
    if (then?.[1] !== undefined && then[2] !== undefined) {
      const rest = then[2];
      if (/nodesBy(Type|Name)\(/.test(rest)) throw new FhirDeidError('fhir-unsupported-rule', 'nested nodesByType is not supported', { place: { path: where } });
      const cache = new Map<string, CompiledPath>();
      const compiled = (base: string): CompiledPath => {
        let fn = cache.get(base);
        if (fn === undefined) {
          fn = compilePath(rest, base, where);
          cache.set(base, fn);
        }
        return fn;
      };
      compiled('Element');
      const base: string = then[1];
      const filter = splitWhere(rest);
      const predicate = filter?.rest === '' && !FHIR_PRIMITIVE_TYPES.has(base) ? compileWhere(filter.predicate, base, compiled(base)) : undefined;
      return {
        index, rule, memo: new Map(), resourceType: rt, match: { kind: 'type-then', key: base, then: compiled },
        ...(predicate === undefined ? {} : { plan: { kind: 'type-where', key: base, where: predicate } }),
      };
    }
    if (options.fhirPathOnly !== true && SIMPLE_PATH.test(expression)) {
      // Plain child steps (`id`, `entry.fullUrl`): walked on the tree, same result as FHIRPath.
      return { index, rule, memo: new Map(), resourceType: rt, match: { kind: 'path', steps: expression.split('.') } };
    }
    if (/nodesBy(Type|Name)\(/.test(expression)) {
      throw new FhirDeidError('fhir-unsupported-rule', 'nodesByType/nodesByName must start the expression', { place: { path: where } });
    }
    const evaluate = compilePath(expression, undefined, where);
    // `Type.where(P)[.steps]`: the filter on the resource, then plain child steps.
    const filter = rt === '' || options.fhirPathOnly === true ? undefined : splitWhere(expression);
    if (filter !== undefined && (filter.rest === '' || SIMPLE_PATH.test(filter.rest))) {
      const predicate = compileWhere(filter.predicate, rt, compilePath(`where(${filter.predicate})`, rt, where));
      if (predicate !== undefined) {
        const steps = filter.rest === '' ? [] : filter.rest.split('.');
        return { index, rule, memo: new Map(), resourceType: rt, match: { kind: 'fhirpath', evaluate }, plan: { kind: 'root-where', where: predicate, steps } };
      }
    }
    return { index, rule, memo: new Map(), resourceType: rt, match: { kind: 'fhirpath', evaluate } };
  });
}
