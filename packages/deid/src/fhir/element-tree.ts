import { elementInfo } from './fhir-model.ts';

/** A JSON object as parsed from FHIR JSON. */
export type JsonObject = Record<string, unknown>;

/**
 * One element of a resource as the FHIR element model sees it (R4 §3.1.1.4): a primitive value and
 * its `_name` companion are one node; choice elements carry their base name. `key` locates it
 * inside its resource (`name[0].given[1]`, `birthDate.extension[0]`), using the JSON property names.
 */
export interface ElementNode {
  readonly key: string;
  readonly name: string;
  readonly type: string;
  readonly childPath: string | undefined;
  readonly primitive: boolean;
  /** The object holding the value, and the JSON property (and array index) it is under. */
  readonly holder: JsonObject;
  readonly prop: string;
  readonly index: number | undefined;
  readonly parent: ElementNode | undefined;
  readonly children: ElementNode[];
}

/** A resource's elements, in document order, not descending into nested resources. */
export interface ResourceTree {
  readonly resource: JsonObject;
  readonly resourceType: string;
  /** The resource itself as a node (key `''`); its children are the top-level elements. */
  readonly root: ElementNode;
  readonly nodes: readonly ElementNode[];
  readonly byKey: ReadonlyMap<string, ElementNode>;
  /** Nodes that hold a nested resource (`contained[i]`, `entry[i].resource`). */
  readonly nested: readonly ElementNode[];
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a node's current value. */
export function nodeValue(node: ElementNode): unknown {
  const v = node.holder[node.prop];
  return node.index === undefined ? v : Array.isArray(v) ? (v[node.index] as unknown) : undefined;
}

/** Replaces a node's value (null marks it for removal by {@link pruneEmpty}). */
export function setNodeValue(node: ElementNode, value: unknown): void {
  if (node.index === undefined) {
    node.holder[node.prop] = value;
    return;
  }
  const arr = node.holder[node.prop];
  if (Array.isArray(arr)) arr[node.index] = value;
}

/** Removes a node: its value and its `_name` companion (extensions, id). */
export function removeNode(node: ElementNode): void {
  setNodeValue(node, null);
  if (node.primitive) {
    const companion = node.holder[`_${node.prop}`];
    if (node.index === undefined) Reflect.deleteProperty(node.holder, `_${node.prop}`);
    else if (Array.isArray(companion)) companion[node.index] = null;
  }
}

const UNKNOWN = '?';

/** Walks a resource by the R4 element model (see {@link ElementNode}). */
export function buildResourceTree(resource: JsonObject): ResourceTree {
  const resourceType = typeof resource.resourceType === 'string' ? resource.resourceType : UNKNOWN;
  const nodes: ElementNode[] = [];
  const byKey = new Map<string, ElementNode>();
  const nested: ElementNode[] = [];

  const root: ElementNode = {
    key: '', name: resourceType, type: resourceType, childPath: resourceType, primitive: false,
    holder: { '': resource }, prop: '', index: undefined, parent: undefined, children: [],
  };
  const add = (node: ElementNode): void => {
    nodes.push(node);
    byKey.set(node.key, node);
    if (node.parent !== undefined) node.parent.children.push(node);
  };

  const walkObject = (obj: JsonObject, path: string | undefined, prefix: string, parent: ElementNode | undefined): void => {
    const keys = Object.keys(obj);
    // `_name` companions (R4 §3.1.1.4) are rare: look them up only in objects that have one.
    let companions = false;
    for (const k of keys) if (k.charCodeAt(0) === 95) companions = true;
    for (const prop of keys) {
      if (prop === 'resourceType' && parent === root) continue;
      let base = prop;
      if (prop.startsWith('_')) {
        base = prop.slice(1);
        if (base in obj) continue; // handled with its value
      }
      const elInfo = path === undefined ? undefined : elementInfo(path, base);
      let raw = base === prop ? obj[prop] : undefined;
      let companion = companions ? obj[`_${base}`] : undefined;
      const name = elInfo?.name ?? base;
      const type = elInfo?.type ?? UNKNOWN;
      const childPath = elInfo?.childPath;
      if (elInfo?.repeating === true) {
        // Lenient input: a single value where R4 wants an array (R4 §3.1.1.2).
        if (raw !== undefined && raw !== null && !Array.isArray(raw)) obj[prop] = [raw];
        if (companion !== undefined && companion !== null && !Array.isArray(companion)) obj[`_${base}`] = [companion];
        raw = base === prop ? obj[prop] : undefined;
        companion = companions ? obj[`_${base}`] : undefined;
      }
      const values = raw === undefined ? companion : obj[prop];
      const visit = (value: unknown, extra: unknown, index: number | undefined): void => {
        // The JSON property, not the element name: two types of one choice element (malformed, removed
        // by conform-shape.ts) or an unknown `value` beside `valueString` must not share a key.
        const key = `${prefix}${base}${index === undefined ? '' : `[${String(index)}]`}`;
        const isResource = isJsonObject(value) && typeof value.resourceType === 'string';
        const primitive = elInfo === undefined ? !isJsonObject(value) : elInfo.primitive;
        const node: ElementNode = {
          key, name, type: isResource ? (value.resourceType as string) : type,
          childPath: isResource ? (value.resourceType as string) : childPath, primitive,
          holder: obj, prop: base, index, parent, children: [],
        };
        add(node);
        if (isResource) {
          nested.push(node);
        } else if (primitive) {
          if (isJsonObject(extra)) walkObject(extra, 'Element', `${key}.`, node);
        } else if (isJsonObject(value)) {
          walkObject(value, childPath, `${key}.`, node);
        }
      };
      if (Array.isArray(values)) {
        const extras = Array.isArray(companion) ? (companion as unknown[]) : [];
        const count = Math.max(values.length, raw === undefined ? 0 : extras.length);
        for (let i = 0; i < count; i++) visit(raw === undefined ? undefined : values[i], extras[i], i);
      } else {
        visit(raw, companion, undefined);
      }
    }
  };

  walkObject(resource, resourceType === UNKNOWN ? undefined : resourceType, '', root);
  return { resource, resourceType, root, nodes, byKey, nested };
}

/** Nodes of a subtree in document order, the root first. */
export function subtree(node: ElementNode, out: ElementNode[] = []): ElementNode[] {
  out.push(node);
  for (const child of node.children) subtree(child, out);
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every(isEmpty);
  if (isJsonObject(value)) return Object.keys(value).length === 0;
  return false;
}

/**
 * Removes what de-identification emptied: null values, empty strings/objects/arrays, array slots
 * whose value and `_name` companion are both empty (FHIR JSON keeps the two arrays aligned,
 * R4 §3.1.1.4). Returns the value, or undefined when nothing is left. The object passed in is
 * changed in place; objects inside it that lose properties are replaced by copies without them
 * (deleting a property turns a V8 object into a slow dictionary, and serialising it slower).
 */
export function pruneEmpty(value: unknown): unknown {
  return prune(value, true, undefined);
}

/**
 * {@link pruneEmpty} that enters only the objects in `dirty` (prune-marked.ts): an object not in
 * it has nothing empty below it, so pruning would return it unchanged. Objects with `_name`
 * companions are pruned whole (the walk that marks does not follow companions).
 */
export function pruneEmptyWithin(value: unknown, dirty: ReadonlySet<object>): unknown {
  return prune(value, true, dirty);
}

function prune(value: unknown, inPlace: boolean, dirty: ReadonlySet<object> | undefined): unknown {
  if (Array.isArray(value)) {
    // A new array only once something changes; an untouched array is kept as it is.
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
  if (!isJsonObject(value)) return isEmpty(value) ? undefined : value;
  if (dirty !== undefined && !dirty.has(value)) return value;
  const keys = Object.keys(value);
  // `_name` companions (R4 §3.1.1.4) are rare: look them up only in objects that have one.
  let companions = false;
  for (const k of keys) if (k.charCodeAt(0) === 95) companions = true;
  if (!companions) {
    // The common case, without a second Object.keys: kept properties are counted; a nested
    // object that loses one is copied from that point on (`copy`) instead of deleted from.
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
  // With `_name` companions: value and companion arrays pruned together, slot by slot, and
  // everything below pruned whole (marks do not cover companions).
  for (const prop of keys) {
    if (prop.charCodeAt(0) === 95) continue;
    const v = value[prop];
    const c = value[`_${prop}`];
    if (Array.isArray(v) && Array.isArray(c)) {
      const vs: unknown[] = [];
      const cs: unknown[] = [];
      for (let i = 0; i < Math.max(v.length, c.length); i++) {
        const a = prune(v[i], false, undefined);
        const b = prune(c[i], false, undefined);
        if (a === undefined && b === undefined) continue;
        vs.push(a ?? null);
        cs.push(b ?? null);
      }
      if (vs.every((x) => x === null)) Reflect.deleteProperty(value, prop);
      else value[prop] = vs;
      if (cs.every((x) => x === null)) Reflect.deleteProperty(value, `_${prop}`);
      else value[`_${prop}`] = cs;
      continue;
    }
    const pruned = prune(v, false, undefined);
    if (pruned === undefined) Reflect.deleteProperty(value, prop);
    else if (pruned !== v) value[prop] = pruned;
  }
  for (const prop of Object.keys(value)) {
    if (!prop.startsWith('_') || Array.isArray(value[prop.slice(1)])) continue;
    const pruned = prune(value[prop], false, undefined);
    if (pruned === undefined) Reflect.deleteProperty(value, prop);
    else value[prop] = pruned;
  }
  return Object.keys(value).length === 0 ? undefined : value;
}
