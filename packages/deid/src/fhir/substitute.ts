import { type ElementNode, isJsonObject, nodeValue, setNodeValue, subtree } from './element-tree.ts';
import { FHIR_NUMBER_TYPES } from './fhir-model.ts';

/**
 * `substitute` of the Microsoft tool (SubstituteProcessor.cs): the node takes the configured
 * value; elements an earlier rule already processed are kept (and their ancestors, emptied of
 * everything else), so rules never undo each other.
 */
export function substituteNode(node: ElementNode, replaceWith: unknown, visited: Set<string>): void {
  const keep = new Set<string>();
  const mark = (n: ElementNode): boolean => {
    let k = false;
    for (const c of n.children) k = mark(c) || k;
    if (k || visited.has(n.key)) {
      keep.add(n.key);
      return true;
    }
    return false;
  };
  mark(node);
  if (node.primitive) {
    setNodeValue(node, primitiveOf(replaceWith, node.type));
  } else {
    setNodeValue(node, substituteComplex(node, isJsonObject(replaceWith) ? replaceWith : {}, visited, keep));
  }
  for (const n of subtree(node)) visited.add(n.key);
}

function primitiveOf(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (FHIR_NUMBER_TYPES.has(type) && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function substituteAny(child: ElementNode, target: unknown, visited: Set<string>, keep: Set<string>): unknown {
  if (child.primitive) return primitiveOf(target, child.type);
  return substituteComplex(child, isJsonObject(target) ? target : {}, visited, keep);
}

function substituteComplex(node: ElementNode, replacement: Record<string, unknown>, visited: Set<string>, keep: Set<string>): Record<string, unknown> {
  const old = nodeValue(node);
  const out: Record<string, unknown> = {};
  const groups = new Map<string, ElementNode[]>();
  for (const c of node.children) {
    const list = groups.get(c.prop) ?? [];
    list.push(c);
    groups.set(c.prop, list);
  }
  const put = (prop: string, values: unknown[], asArray: boolean, companions: unknown[]): void => {
    if (values.length === 0) return;
    out[prop] = asArray ? values : values[0];
    if (companions.some((x) => x !== undefined && x !== null)) out[`_${prop}`] = asArray ? companions.map((x) => x ?? null) : companions[0];
  };
  const companionOf = (c: ElementNode): unknown => {
    if (!c.primitive || !visited.has(c.key) || !isJsonObject(old)) return undefined;
    const comp = old[`_${c.prop}`];
    return c.index === undefined ? comp : Array.isArray(comp) ? (comp[c.index] as unknown) : undefined;
  };
  for (const [prop, targetRaw] of Object.entries(replacement)) {
    const targets = Array.isArray(targetRaw) ? (targetRaw as unknown[]) : [targetRaw];
    const children = groups.get(prop) ?? [];
    groups.delete(prop);
    const values: unknown[] = [];
    const companions: unknown[] = [];
    let i = 0;
    for (const child of children) {
      if (visited.has(child.key)) {
        values.push(nodeValue(child));
        companions.push(companionOf(child));
        i++;
      } else if (i < targets.length) {
        values.push(substituteAny(child, targets[i++], visited, keep));
        companions.push(undefined);
      } else if (keep.has(child.key)) {
        values.push(substituteAny(child, null, visited, keep));
        companions.push(undefined);
      }
    }
    while (i < targets.length) {
      values.push(structuredClone(targets[i++]));
      companions.push(undefined);
    }
    put(prop, values, Array.isArray(targetRaw) || children[0]?.index !== undefined, companions);
  }
  for (const [prop, children] of groups) {
    const values: unknown[] = [];
    const companions: unknown[] = [];
    for (const child of children) {
      if (visited.has(child.key)) {
        values.push(nodeValue(child));
        companions.push(companionOf(child));
      } else if (keep.has(child.key)) {
        values.push(substituteAny(child, null, visited, keep));
        companions.push(undefined);
      }
    }
    put(prop, values, children[0]?.index !== undefined, companions);
  }
  return out;
}
