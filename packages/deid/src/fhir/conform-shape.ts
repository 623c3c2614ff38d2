import { type JsonObject, isJsonObject } from './element-tree.ts';
import { type ElementInfo, elementInfoIn, elementTable, isResourceType } from './fhir-model.ts';

/** An element removed because its JSON is not what R4 defines for it: where, and what was expected (never the value). */
export interface ShapeProblem {
  /** JSON path inside the outermost resource (`Patient.name[0]`, `Bundle.entry[2].resource.birthDate`). */
  readonly path: string;
  /** What R4 wants there: `a JSON string (date)`, `a HumanName object`, `one of valueString and valueAge`, ... */
  readonly expected: string;
}

/** Why an item does not fit its element, or undefined when it does (null: an empty array slot, R4 §3.1.1.4). */
function misfit(info: ElementInfo, item: unknown): string | undefined {
  if (item === null) return undefined;
  let fits: boolean;
  if (info.primitive) fits = typeof item === info.jsonKind;
  else if (info.type === 'Resource') fits = isJsonObject(item) && typeof item.resourceType === 'string' && isResourceType(item.resourceType);
  // An object with a resourceType where a datatype belongs would be taken for a nested resource.
  else fits = isJsonObject(item) && item.resourceType === undefined;
  return fits ? undefined : describe(info);
}

/**
 * Removes, in place, every value whose JSON shape is not the one R4 defines for its element, and
 * returns where (R4 §3.1 "JSON representation"): a primitive of the wrong JSON kind, an object or
 * array where a primitive belongs, a string where a datatype belongs, an array for a single-valued
 * element, a `_name` companion that is not an object, a resource where a datatype belongs (or a
 * datatype where a resource belongs), two types of one choice element (`valueString` beside
 * `valueAge`: both go). Nested resources (contained, Bundle entries) are checked as resources of
 * their own. Elements R4 does not define are removed, with their `_name` companions, when
 * `dropUnknown` is set (silently: the profile's `unknown: remove` policy), else kept unchecked.
 *
 * Why: the rules find what to de-identify through the R4 model. A value the model cannot place
 * would pass a redact rule untouched (a name given as a plain string, a birth date in an array),
 * so it is removed before the rules run: de-identification fails closed on malformed input.
 */
export function conformShape(resource: JsonObject, resourceType: string, dropUnknown: boolean): ShapeProblem[] {
  const walk = new ShapeWalk(dropUnknown, resourceType);
  walk.object(resource, resourceType, true);
  return walk.problems;
}

/**
 * The walk over every value of a resource (hot: it runs on every record). Where it is, is a stack
 * of steps (property names, array indexes), turned into a path only for a problem; each value is
 * read in the `for...in` body, where V8 loads it by its index in the object's layout (enumeration
 * cache), and a primitive of its JSON kind costs one comparison.
 */
class ShapeWalk {
  readonly problems: ShapeProblem[] = [];
  readonly #dropUnknown: boolean;
  /** The steps from the outermost resource (its type first) to the object being walked. */
  readonly #steps: (string | number)[];

  constructor(dropUnknown: boolean, resourceType: string) {
    this.#dropUnknown = dropUnknown;
    this.#steps = [resourceType];
  }

  #remove(holder: JsonObject | unknown[], key: string | number, expected: string): void {
    if (Array.isArray(holder)) holder[key as number] = null; // keeps a `_name` array aligned (R4 §3.1.1.4)
    else Reflect.deleteProperty(holder, key);
    this.problems.push({ path: pathOf(this.#steps, key), expected });
  }

  object(obj: JsonObject, childPath: string | undefined, isResource: boolean): void {
    const table = childPath === undefined ? undefined : elementTable(childPath);
    // The JSON property used for each choice element met so far (`value` → `valueString`).
    let choices: Map<string, string> | undefined;
    // for...in visits no property deleted before its turn (ECMA-262 §14.7.5.9).
    for (const prop in obj) {
      if (isResource && prop === 'resourceType') continue;
      const companion = prop.charCodeAt(0) === 95;
      const base = companion ? prop.slice(1) : prop;
      const info = table === undefined ? undefined : elementInfoIn(table, childPath as string, base);
      if (info === undefined) {
        if (this.#dropUnknown) Reflect.deleteProperty(obj, prop);
        continue;
      }
      if (info.name !== base) {
        choices ??= new Map();
        const seen = choices.get(info.name);
        if (seen === undefined) choices.set(info.name, base);
        else if (seen !== base) {
          // R4 §3.1.1.4.1: one type per choice element. Which one was meant is unknown: both go.
          for (const p of [seen, `_${seen}`, base, `_${base}`]) if (p in obj) this.#remove(obj, p, `one of ${seen} and ${base}`);
          continue;
        }
      }
      const value = obj[prop];
      if (value === null || value === undefined) continue;
      if (companion) this.#companion(obj, prop, info, value);
      // The common case first: a primitive of its JSON kind.
      else if (typeof value !== info.jsonKind) this.#value(obj, prop, info, value);
    }
  }

  #value(obj: JsonObject, prop: string, info: ElementInfo, value: unknown): void {
    const steps = this.#steps;
    if (!Array.isArray(value)) {
      // A single value where R4 wants an array is accepted (the rule engines wrap it, R4 §3.1.1.2).
      const why = misfit(info, value);
      if (why !== undefined) this.#remove(obj, prop, why);
      else if (isJsonObject(value)) {
        steps.push(prop);
        this.#item(value, info);
        steps.pop();
      }
      return;
    }
    if (!info.repeating) {
      this.#remove(obj, prop, `a single value (${describe(info)})`);
      return;
    }
    steps.push(prop);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === info.jsonKind) continue;
      const why = Array.isArray(item) ? describe(info) : misfit(info, item);
      if (why !== undefined) this.#remove(value, i, why);
      else if (isJsonObject(item)) {
        steps.push(i);
        this.#item(item, info);
        steps.pop();
      }
    }
    steps.pop();
  }

  #item(item: JsonObject, info: ElementInfo): void {
    if (info.type === 'Resource') this.object(item, item.resourceType as string, true);
    else this.object(item, info.childPath, false);
  }

  /** `_name` (R4 §3.1.1.4): only primitives have one: an object, or objects and nulls aligned with the values. */
  #companion(obj: JsonObject, prop: string, info: ElementInfo, value: unknown): void {
    if (!info.primitive) {
      this.#remove(obj, prop, `no ${prop} (${info.type} is not a primitive)`);
      return;
    }
    const steps = this.#steps;
    if (!Array.isArray(value)) {
      if (isJsonObject(value)) {
        steps.push(prop);
        this.object(value, 'Element', false);
        steps.pop();
      } else this.#remove(obj, prop, 'an Element object');
      return;
    }
    if (!info.repeating) {
      this.#remove(obj, prop, 'a single Element object');
      return;
    }
    steps.push(prop);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (isJsonObject(item)) {
        steps.push(i);
        this.object(item, 'Element', false);
        steps.pop();
      } else if (item !== null) this.#remove(value, i, 'an Element object');
    }
    steps.pop();
  }
}

/** `Patient.name[0].given` from the steps and the last key. */
function pathOf(steps: readonly (string | number)[], key: string | number): string {
  let out = '';
  for (const step of [...steps, key]) out += typeof step === 'number' ? `[${String(step)}]` : out === '' ? step : `.${step}`;
  return out;
}

function describe(info: ElementInfo): string {
  return info.primitive ? `a JSON ${String(info.jsonKind)} (${info.type})` : info.type === 'Resource' ? 'an R4 resource' : `a ${info.type} object`;
}
