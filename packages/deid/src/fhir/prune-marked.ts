import { type JsonObject, isJsonObject, pruneEmpty } from './element-tree.ts';

/**
 * What the compiled plan's walk saw of the values pruning removes (`pruneEmpty`, element-tree.ts):
 * `dirty` holds every object of the resource (nested resources included) that has an empty value
 * (null, `''`, `{}`, `[]`) or lost an element anywhere below it; `full` is set when the walk met
 * a shape it does not follow (`_name` companions, an object where R4 wants a primitive, ...).
 */
export interface PruneMarks {
  readonly dirty: Set<object>;
  full: boolean;
}

export function newPruneMarks(): PruneMarks {
  return { dirty: new Set<object>(), full: false };
}

/**
 * `pruneEmpty(resource)` that enters only the objects marked dirty: an unmarked object has nothing
 * empty below it, so `pruneEmpty` would return it unchanged. Same result and same objects; the
 * second walk over every element of the resource (with a keyed load per property, on objects the
 * rules changed) shrinks to the paths that hold what the rules removed.
 */
export function pruneMarked(resource: JsonObject, marks: PruneMarks): unknown {
  if (marks.full) return pruneEmpty(resource);
  return prune(resource, true, marks.dirty);
}

function prune(value: unknown, inPlace: boolean, dirty: ReadonlySet<object>): unknown {
  if (Array.isArray(value)) {
    let kept: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const p = prune(v, false, dirty);
      if (kept === undefined) {
        if (p === v && p !== undefined) continue;
        kept = value.slice(0, i);
      }
      if (p !== undefined) kept.push(p);
    }
    const out = kept ?? value;
    return out.length === 0 ? undefined : out;
  }
  if (!isJsonObject(value)) return value === null || value === undefined || value === '' ? undefined : value;
  if (!dirty.has(value)) return value;
  const keys = Object.keys(value);
  for (const k of keys) if (k.charCodeAt(0) === 95) return pruneEmpty(value); // never marked so (see `full`); kept exact anyway
  // As element-tree.ts `prune` without companions: a nested object that loses a property is copied.
  let kept = 0;
  let copy: JsonObject | undefined;
  for (let k = 0; k < keys.length; k++) {
    const prop = keys[k] as string;
    const v = value[prop];
    const p = typeof v !== 'object' || v === null ? (v === null || v === undefined || v === '' ? undefined : v) : prune(v, false, dirty);
    if (p === undefined) {
      if (inPlace) Reflect.deleteProperty(value, prop);
      else if (copy === undefined) {
        copy = {};
        for (let j = 0; j < k; j++) {
          const earlier = keys[j] as string;
          copy[earlier] = value[earlier];
        }
      }
      continue;
    }
    kept++;
    if (copy !== undefined) copy[prop] = p;
    else if (p !== v) value[prop] = p;
  }
  return kept === 0 ? undefined : (copy ?? value);
}
