import { type ElementNode, type JsonObject, type ResourceTree, buildResourceTree, nodeValue } from './element-tree.ts';
import type { CompiledRule } from './fhir-rule.ts';
import { type MethodContext, applyMethod } from './rule-methods.ts';
import { substituteNode } from './substitute.ts';

interface FpNode {
  readonly parentResNode: FpNode | null;
  readonly propName?: string | null | undefined;
  readonly index?: number | null | undefined;
}

function isFpNode(v: unknown): v is FpNode {
  return typeof v === 'object' && v !== null && 'parentResNode' in v;
}

/**
 * The tree node of a node the `fhirpath` package returned, found by walking down from the node it
 * was evaluated on (`propName` is the JSON name, with or without a choice suffix).
 */
function keyOf(result: unknown, root: ElementNode): ElementNode | undefined {
  if (!isFpNode(result)) return undefined;
  const chain: FpNode[] = [];
  for (let n: FpNode = result; n.parentResNode !== null; n = n.parentResNode) chain.unshift(n);
  let node: ElementNode | undefined = root;
  for (const seg of chain) {
    const name = seg.propName ?? '';
    const index = seg.index ?? undefined;
    node = node.children.find((c) => (c.prop === name || c.name === name) && c.index === index);
    if (node === undefined) return undefined;
  }
  return node;
}

interface Indexes {
  readonly byType: Map<string, ElementNode[]>;
  readonly byName: Map<string, ElementNode[]>;
}

function indexTree(tree: ResourceTree): Indexes {
  const byType = new Map<string, ElementNode[]>();
  const byName = new Map<string, ElementNode[]>();
  for (const node of tree.nodes) {
    (byType.get(node.type) ?? byType.set(node.type, []).get(node.type))?.push(node);
    (byName.get(node.name) ?? byName.set(node.name, []).get(node.name))?.push(node);
  }
  return { byType, byName };
}

function matchNodes(rule: CompiledRule, tree: ResourceTree, idx: Indexes): ElementNode[] {
  const m = rule.match;
  switch (m.kind) {
    case 'resource':
      return [tree.root];
    case 'type':
    case 'name': {
      const found = (m.kind === 'type' ? idx.byType : idx.byName).get(m.key) ?? [];
      return m.child === undefined ? found : found.flatMap((n) => n.children.filter((c) => c.name === m.child));
    }
    case 'path': {
      let level: ElementNode[] = [tree.root];
      for (const step of m.steps) level = level.flatMap((n) => n.children.filter((c) => c.name === step));
      return level;
    }
    case 'type-then': {
      const out: ElementNode[] = [];
      for (const candidate of idx.byType.get(m.key) ?? []) {
        if (candidate.primitive || candidate.childPath === undefined) continue;
        for (const r of m.then(candidate.childPath)(nodeValue(candidate))) {
          const n = keyOf(r, candidate);
          if (n !== undefined) out.push(n);
        }
      }
      return out;
    }
    case 'fhirpath': {
      const out: ElementNode[] = [];
      for (const r of m.evaluate(tree.resource)) {
        const n = keyOf(r, tree.root);
        if (n !== undefined) out.push(n);
      }
      return out;
    }
  }
}

export interface RunRulesOptions {
  /** Told which rule runs next (for per-rule counts). */
  readonly onRule?: (rule: CompiledRule['rule']) => void;
}

/**
 * Runs rules over one resource the way the Microsoft tool does (ResourceProcessor.cs): rules in
 * order; each matched node is processed with its whole subtree, and a node processed by an
 * earlier rule (including `keep`) is never processed again. Nested resources (contained,
 * Bundle entries) are not entered: the caller processes them as resources of their own.
 * Returns the final tree (rebuilt after a `substitute`).
 */
export function runRules(
  resource: JsonObject, rules: readonly CompiledRule[], ctx: Omit<MethodContext, 'visited' | 'substituted'>, options: RunRulesOptions,
): ResourceTree {
  let tree = buildResourceTree(resource);
  const full: MethodContext = { ...ctx, visited: new Set<string>(), substituted: [] };
  let nestedKeys = new Set(tree.nested.map((n) => n.key));
  let idx = indexTree(tree);
  const visit = (node: ElementNode, rule: CompiledRule): void => {
    if (full.visited.has(node.key)) return;
    if (rule.rule.method === 'substitute') {
      substituteNode(node, rule.rule.settings?.replaceWith, full.visited);
      full.substituted.push(node.key);
      full.record('substitute', node);
      return;
    }
    applyMethod(node, rule, full, resource);
    full.visited.add(node.key);
    for (const child of node.children) if (!nestedKeys.has(child.key)) visit(child, rule);
  };
  for (const rule of rules) {
    if (rule.resourceType !== '' && rule.resourceType !== tree.resourceType) continue;
    options.onRule?.(rule.rule);
    for (const node of matchNodes(rule, tree, idx)) visit(node, rule);
    if (full.substituted.length > 0) {
      tree = buildResourceTree(resource);
      const roots = full.substituted.splice(0);
      for (const node of tree.nodes) {
        if (roots.some((r) => r === '' || node.key === r || node.key.startsWith(`${r}.`) || node.key.startsWith(`${r}[`))) full.visited.add(node.key);
      }
      nestedKeys = new Set(tree.nested.map((n) => n.key));
      idx = indexTree(tree);
    }
  }
  return tree;
}
