import { type JsonObject, isJsonObject } from './element-tree.ts';
import { type ElementInfo, FHIR_NUMBER_TYPES, elementInfo } from './fhir-model.ts';
import type { CompiledPath } from './fhir-rule.ts';

/**
 * A FHIRPath `where(...)` predicate of the simple forms Microsoft configurations use, evaluated on
 * the JSON of the element it filters without the `fhirpath` package (docs/deid/fhir.md "Compiled
 * plans"): `a.b = 'text'` (also a number or `true`/`false`) and `a.b.exists()`, over child
 * elements R4 defines (no choice elements). Data the simple reading cannot decide exactly (arrays,
 * nulls, `_name` companions, choice-typed keys) is handed to the compiled FHIRPath expression, so
 * the answer is always the one `fhirpath` gives (FHIRPath N1 §5.2.1 `where`, §6.1.1 `=`, §5.1.2 `exists`).
 */
export interface WherePredicate {
  /** The element paths the predicate reads, relative to the filtered element (`['city']`). */
  readonly reads: readonly (readonly ElementInfo[])[];
  /** True when the element (its JSON object) passes the filter. */
  test(value: JsonObject): boolean;
}

const STEP_PATH = /^[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*$/;
const EXISTS = /^([a-z][A-Za-z0-9.]*)\.exists\(\)$/;
const EQUALS = /^([a-z][A-Za-z0-9.]*)\s*=\s*('[^'\\]*'|-?\d+(?:\.\d+)?|true|false)$/;
const STRING_TYPES: ReadonlySet<string> = new Set(['string', 'code', 'id', 'uri', 'url', 'canonical', 'markdown', 'oid', 'uuid']);

/** The argument of a leading `where(...)` and what follows it, parentheses balanced; undefined otherwise. */
export function splitWhere(expression: string): { readonly predicate: string; readonly rest: string } | undefined {
  if (!expression.startsWith('where(')) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = 5; i < expression.length; i++) {
    const c = expression[i];
    if (quoted) {
      if (c === '\\') return undefined;
      if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      const rest = expression.slice(i + 1);
      if (rest !== '' && !rest.startsWith('.')) return undefined;
      return { predicate: expression.slice(6, i).trim(), rest: rest.slice(1) };
    }
  }
  return undefined;
}

/** The R4 elements of a child path from `base`, each single-valued and not a choice; undefined otherwise. */
function resolve(base: string, path: string): ElementInfo[] | undefined {
  if (!STEP_PATH.test(path)) return undefined;
  const out: ElementInfo[] = [];
  let at: string | undefined = base;
  for (const step of path.split('.')) {
    const info: ElementInfo | undefined = at === undefined ? undefined : elementInfo(at, step);
    if (info?.name !== step || info.repeating) return undefined;
    out.push(info);
    at = info.childPath;
  }
  return out;
}

type Reading = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'empty' } | { readonly kind: 'unsure' };
const EMPTY: Reading = { kind: 'empty' };
const UNSURE: Reading = { kind: 'unsure' };

/** A key that could hold the same element under another spelling (`_city`, `valueString`). */
function otherSpelling(obj: JsonObject, name: string): boolean {
  for (const k in obj) {
    if (k === `_${name}`) return true;
    if (k.length > name.length && k.startsWith(name)) {
      const c = k.charCodeAt(name.length);
      if (c >= 65 && c <= 90) return true;
    }
  }
  return false;
}

/** Follows the steps through plain JSON: a value, nothing, or "ask FHIRPath". */
function read(value: JsonObject, steps: readonly ElementInfo[]): Reading {
  let cur: unknown = value;
  for (const step of steps) {
    if (!isJsonObject(cur)) return UNSURE;
    const v = cur[step.name];
    if (otherSpelling(cur, step.name)) return UNSURE;
    if (v === undefined) return EMPTY;
    if (v === null || Array.isArray(v)) return UNSURE;
    cur = v;
  }
  return { kind: 'value', value: cur };
}

/**
 * The predicate of `where(text)` on elements of type `base`, or undefined when it is not one of
 * the simple forms. `fallback(base)`: the compiled `where(text)` for undecided data.
 */
export function compileWhere(text: string, base: string, fallback: CompiledPath): WherePredicate | undefined {
  const viaFhirPath = (value: JsonObject): boolean => fallback(value).length > 0;
  const exists = EXISTS.exec(text);
  if (exists?.[1] !== undefined) {
    const steps = resolve(base, exists[1]);
    if (steps === undefined) return undefined;
    return {
      reads: [steps],
      test: (value) => {
        const r = read(value, steps);
        if (r.kind === 'unsure') return viaFhirPath(value);
        if (r.kind === 'empty') return false;
        // A primitive's value, or a complex element with content: both exist (an empty object is ambiguous).
        return isJsonObject(r.value) ? (Object.keys(r.value).length > 0 ? true : viaFhirPath(value)) : true;
      },
    };
  }
  const eq = EQUALS.exec(text);
  if (eq?.[1] === undefined || eq[2] === undefined) return undefined;
  const steps = resolve(base, eq[1]);
  const last = steps?.[steps.length - 1];
  if (steps === undefined || last === undefined) return undefined;
  const raw = eq[2];
  let literal: string | number | boolean;
  if (raw.startsWith("'")) {
    if (!STRING_TYPES.has(last.type)) return undefined;
    literal = raw.slice(1, -1);
  } else if (raw === 'true' || raw === 'false') {
    if (last.type !== 'boolean') return undefined;
    literal = raw === 'true';
  } else {
    if (!FHIR_NUMBER_TYPES.has(last.type)) return undefined;
    literal = Number(raw);
  }
  return {
    reads: [steps],
    test: (value) => {
      const r = read(value, steps);
      if (r.kind === 'unsure') return viaFhirPath(value);
      if (r.kind === 'empty') return false; // `{} = x` is empty: where() drops the element
      if (typeof r.value !== typeof literal) return viaFhirPath(value);
      return r.value === literal;
    },
  };
}
