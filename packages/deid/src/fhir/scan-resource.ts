import { type JsonObject, isJsonObject } from './element-tree.ts';
import { KEPT_EXTENSIONS } from './fhir-extensions.ts';

/** What one walk over a resource found and did before its rules run. */
export interface ResourceScan {
  /** Extensions removed (see {@link removeUnknownExtensions} in fhir-extensions.ts). */
  readonly removed: number;
  /** JSON paths of removed modifier extensions. */
  readonly modifierPaths: readonly string[];
  /**
   * The `YYYY-MM-DD` prefixes of the resource's string values, first occurrence first, after the
   * removal: the text engine removes them from the resource's notes, which repeat them.
   */
  readonly dates: readonly string[];
}

const DATE_VALUE = /^\d{4}-\d{2}-\d{2}/;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `DATE_VALUE.exec(v)?.[0]` without a regex call for the strings that cannot match (most). */
function datePrefix(v: string): string | undefined {
  if (v.length < 10 || !isDigit(v.charCodeAt(0)) || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return undefined;
  return DATE_VALUE.test(v) ? v.slice(0, 10) : undefined;
}

/**
 * One walk over a resource (not entering nested resources, which are scanned on their own) that
 * removes extensions whose URL is not in `kept` when `removeExtensions` is set (complex extensions
 * kept or removed whole, as `removeUnknownExtensions` does) and collects the resource's dates from
 * what is left. Same results as `removeUnknownExtensions` followed by a walk for dates, in one pass.
 */
export function scanResource(resource: JsonObject, removeExtensions: boolean, kept: ReadonlySet<string> = KEPT_EXTENSIONS): ResourceScan {
  let removed = 0;
  const dates: string[] = [];
  // Objects that lost a modifier extension (rare): their JSON paths are found after the walk.
  const lostModifier: JsonObject[] = [];
  const addDate = (v: string): void => {
    const d = datePrefix(v);
    if (d !== undefined && !dates.includes(d)) dates.push(d);
  };
  // `filter`: still removing extensions here (false inside a kept extension: it is kept whole).
  const walkValue = (value: unknown, filter: boolean): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === 'string') addDate(v);
        else if (typeof v === 'object' && v !== null) walkValue(v, filter);
      }
      return;
    }
    if (typeof (value as JsonObject).resourceType === 'string') return;
    walkObject(value as JsonObject, filter);
  };
  /** The list left once the extensions not kept are removed (undefined: none left, the property is gone). */
  const filterList = (obj: JsonObject, prop: 'extension' | 'modifierExtension', list: unknown[]): unknown[] | undefined => {
    const keep = list.filter((e) => isJsonObject(e) && typeof e.url === 'string' && kept.has(e.url));
    if (keep.length === list.length) return list;
    removed += list.length - keep.length;
    if (prop === 'modifierExtension') lostModifier.push(obj);
    if (keep.length === 0) {
      Reflect.deleteProperty(obj, prop);
      return undefined;
    }
    obj[prop] = keep;
    return keep;
  };
  const walkObject = (obj: JsonObject, filter: boolean): void => {
    // Extension lists are filtered at their turn, not looked up on every object first: only the
    // list itself changes (and the objects that lost a modifier are sorted into paths after).
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'string') addDate(v);
      else if (typeof v !== 'object' || v === null) continue;
      else if (k === 'extension' || k === 'modifierExtension') {
        const left = filter && Array.isArray(v) ? filterList(obj, k, v) : v;
        if (left !== undefined) walkValue(left, false);
      } else walkValue(v, filter);
    }
  };
  walkObject(resource, removeExtensions);
  return { removed, modifierPaths: lostModifier.length === 0 ? [] : pathsOf(resource, lostModifier), dates };
}

/**
 * The JSON paths (`contact[0]`, `''` for the resource) of some objects of a resource, in the walk's
 * order, each with `.modifierExtension` appended: the same walk, keys kept on a stack.
 */
function pathsOf(resource: JsonObject, targets: readonly JsonObject[]): string[] {
  const wanted = new Set<unknown>(targets);
  const out: string[] = [];
  const path: (string | number)[] = [];
  const text = (): string => {
    let s = '';
    for (const k of path) s += typeof k === 'number' ? `[${String(k)}]` : s === '' ? k : `.${k}`;
    return s === '' ? '.modifierExtension' : `${s}.modifierExtension`;
  };
  const walk = (value: unknown, top: boolean): void => {
    if (Array.isArray(value)) {
      value.forEach((v: unknown, i) => {
        path.push(i);
        walk(v, false);
        path.pop();
      });
      return;
    }
    if (!isJsonObject(value) || (!top && typeof value.resourceType === 'string')) return;
    if (wanted.has(value)) out.push(text());
    for (const k in value) {
      if (k === 'extension' || k === 'modifierExtension') continue;
      path.push(k);
      walk(value[k], false);
      path.pop();
    }
  };
  walk(resource, true);
  return out;
}
