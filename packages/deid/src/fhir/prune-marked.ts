import { type JsonObject, pruneEmpty, pruneEmptyWithin } from './element-tree.ts';

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
  return marks.full ? pruneEmpty(resource) : pruneEmptyWithin(resource, marks.dirty);
}
