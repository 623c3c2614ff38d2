import { type ElementNode, type JsonObject, isJsonObject, nodeValue } from './element-tree.ts';
import type { PruneMarks } from './prune-marked.ts';
import { type ElementInfo, elementInfo } from './fhir-model.ts';
import type { CompiledRule } from './fhir-rule.ts';
import type { WherePredicate } from './where-predicate.ts';
import { FhirDeidError } from './fhir-deid-error.ts';
import { generalizeReadsOnlyValue } from './generalize-cases.ts';
import { type MethodContext, applyMethod } from './rule-methods.ts';

/**
 * Methods that touch only the primitive they are applied to. `substitute` (rebuilds subtrees) and
 * `perturb` (looks at children) need the element tree of `rule-engine.ts`; `generalize` is
 * plannable when its cases read only the value ({@link generalizeReadsOnlyValue}), and makes the
 * plan fallible (see {@link CompiledPlan.fallible}).
 */
const PLANNABLE_METHODS: ReadonlySet<string> = new Set(['redact', 'dateShift', 'cryptoHash', 'encrypt', 'keep', 'pseudonymize', 'text', 'kind', 'generalize']);
const NONE = Number.MAX_SAFE_INTEGER;
const UNKNOWN = '?';

/** An element met by the plan walker; created only on the path to a node a method touches. */
class PlanNode implements ElementNode {
  readonly name: string;
  readonly type: string;
  readonly childPath: string | undefined;
  readonly primitive: boolean;
  readonly holder: JsonObject;
  readonly prop: string;
  readonly index: number | undefined;
  readonly parent: PlanNode | undefined;
  #key: string | undefined;

  constructor(
    name: string, type: string, childPath: string | undefined, primitive: boolean, holder: JsonObject, prop: string, index: number | undefined, parent: PlanNode | undefined,
  ) {
    this.name = name;
    this.type = type;
    this.childPath = childPath;
    this.primitive = primitive;
    this.holder = holder;
    this.prop = prop;
    this.index = index;
    this.parent = parent;
    this.#key = parent === undefined ? '' : undefined;
  }

  /** The same key the element tree gives (`name[0].given[1]`), built only when asked for. */
  get key(): string {
    if (this.#key === undefined) {
      const p = this.parent?.key ?? '';
      this.#key = `${p === '' ? '' : `${p}.`}${this.prop}${this.index === undefined ? '' : `[${String(this.index)}]`}`;
    }
    return this.#key;
  }

  /** Plannable methods never look at children (see {@link PLANNABLE_METHODS}). */
  get children(): ElementNode[] {
    return [];
  }
}

/** A step of the plain-path rules (`Bundle.entry.fullUrl`): the rule ending here, and the next steps. */
interface PathStep {
  rule: number;
  readonly next: Map<string, PathStep>;
}

/** An element of a frame: its R4 definition and the lowest rule that names it directly. */
interface ChildPlan {
  readonly info: ElementInfo;
  readonly direct: number;
  /** The frames of its children and of its `_name` companion's children, once met. */
  frame?: Frame;
  companionFrame?: Frame;
}

type Frame = Map<string, ChildPlan | null>;

/** The rules of one resource type, indexed by what they match. */
interface TypePlan {
  readonly root: number;
  readonly paths: PathStep;
  readonly byType: Map<string, number>;
  readonly byTypeChild: Map<string, Map<string, number>>;
  readonly byName: Map<string, number>;
  readonly byNameChild: Map<string, Map<string, number>>;
  /** parent type + name + childPath → element name → its plan; filled as resources are walked. */
  readonly frames: Map<string, Frame>;
  /** The resource's own frame (every resource starts there: its key is not rebuilt per resource). */
  rootFrame?: Frame;
  /** `nodesByType('T').where(P)` rules by T, lowest index first: decided per element, on its value. */
  readonly whereByType: Map<string, { readonly index: number; readonly where: WherePredicate }[]>;
}

/** What a rule matches, as the plan reads it (a `where` rule's plan reading, else its match). */
function planMatch(r: CompiledRule): CompiledRule['match'] | NonNullable<CompiledRule['plan']> {
  return r.plan ?? r.match;
}

/**
 * True when rule `j` could change an element a `where` filter of a later rule reads (`reads`:
 * element paths from an element of type `base`). The tree engine evaluates the filter after the
 * earlier rules ran, the plan when it reaches the element, before: the plan is used only when no
 * earlier rule can touch what a filter reads. Conservative: by type, name or last path step.
 * (A rule matching the filtered element or an ancestor wins over the filter anyway.)
 */
function mayTouch(j: CompiledRule, base: string, reads: readonly (readonly { readonly name: string; readonly type: string }[])[]): boolean {
  if (j.rule.method === 'keep') return false;
  const m = planMatch(j);
  for (const steps of reads) {
    let parentType = base;
    for (const step of steps) {
      switch (m.kind) {
        case 'type':
        case 'name': {
          const own = m.kind === 'type' ? step.type : step.name;
          if (m.child === undefined ? m.key === own : m.child === step.name && (m.kind === 'name' || m.key === parentType)) return true;
          break;
        }
        case 'type-where':
          if (m.key === step.type) return true;
          break;
        case 'path':
        case 'root-where':
          if (m.steps[m.steps.length - 1] === step.name) return true;
          break;
        case 'resource':
          break;
        default:
          return true;
      }
      parentType = step.type;
    }
  }
  return false;
}

const lowest = (m: Map<string, number>, k: string, i: number): void => {
  if ((m.get(k) ?? NONE) > i) m.set(k, i);
};
const lowest2 = (m: Map<string, Map<string, number>>, k: string, c: string, i: number): void => {
  let inner = m.get(k);
  if (inner === undefined) m.set(k, (inner = new Map<string, number>()));
  lowest(inner, c, i);
};

/**
 * Rules compiled ahead of time into per-resource-type look-up tables (docs/deid/fhir.md
 * "Compiled plans"): the walker visits each element once and finds its rule by table look-ups,
 * instead of building an element tree and matching every rule against it. Semantics are those of
 * `runRules` (a node is processed by the first rule that matches it or an ancestor), for rule
 * lists whose every rule is a type/name/plain-path look-up with a {@link PLANNABLE_METHODS} method.
 */
export class CompiledPlan {
  readonly rules: readonly CompiledRule[];
  readonly #byResource = new Map<string, TypePlan>();

  /**
   * The plan has `generalize` rules, whose errors (a case failing, a complex element reached) the
   * tree engine raises in its rule order: a run that throws must be redone on the element tree from
   * the unchanged resource (fhir-rule-anonymizer.ts), so the first error, and the counts recorded
   * before it, are the tree engine's.
   */
  readonly fallible: boolean;

  private constructor(rules: readonly CompiledRule[], fallible: boolean) {
    this.rules = rules;
    this.fallible = fallible;
  }

  /** The plan for these rules, or undefined when one of them needs the element tree. */
  static of(rules: readonly CompiledRule[]): CompiledPlan | undefined {
    const fallible = rules.some((r) => r.rule.method === 'generalize');
    for (const [i, r] of rules.entries()) {
      if (!PLANNABLE_METHODS.has(r.rule.method)) return undefined;
      if (r.rule.method === 'generalize' && !generalizeReadsOnlyValue(r.rule)) return undefined;
      const m = planMatch(r);
      // Element filters decide per object element; with generalize, the error check at nested
      // resources and empty elements (below) does not evaluate them: keep such lists on the tree.
      if (fallible && m.kind === 'type-where') return undefined;
      const k = m.kind;
      if (k !== 'resource' && k !== 'type' && k !== 'name' && k !== 'path' && k !== 'type-where' && k !== 'root-where') return undefined;
      if (k === 'type-where' || k === 'root-where') {
        const base = k === 'type-where' ? m.key : r.resourceType;
        for (let j = 0; j < i; j++) {
          const earlier = rules[j];
          if (earlier === undefined || (earlier.resourceType !== '' && r.resourceType !== '' && earlier.resourceType !== r.resourceType)) continue;
          if (mayTouch(earlier, base, m.where.reads)) return undefined;
        }
      }
    }
    return new CompiledPlan(rules, fallible);
  }

  /** `skip`: rules whose resource filter (`Type.where(P)`) this resource fails. */
  #plan(resourceType: string, skip: readonly number[]): TypePlan {
    const cacheKey = skip.length === 0 ? resourceType : `${resourceType}\0${skip.join(',')}`;
    const cached = this.#byResource.get(cacheKey);
    if (cached !== undefined) return cached;
    const plan: TypePlan = {
      root: NONE, paths: { rule: NONE, next: new Map() }, byType: new Map(), byTypeChild: new Map(), byName: new Map(), byNameChild: new Map(), frames: new Map(),
      whereByType: new Map(),
    };
    let root = NONE;
    this.rules.forEach((r, i) => {
      if (r.resourceType !== '' && r.resourceType !== resourceType) return;
      if (skip.includes(i)) return;
      let m = planMatch(r);
      if (m.kind === 'root-where') m = m.steps.length === 0 ? { kind: 'resource' } : { kind: 'path', steps: m.steps };
      if (m.kind === 'resource') root = Math.min(root, i);
      else if (m.kind === 'type-where') {
        let list = plan.whereByType.get(m.key);
        if (list === undefined) plan.whereByType.set(m.key, (list = []));
        list.push({ index: i, where: m.where });
      } else if (m.kind === 'path') {
        let step = plan.paths;
        for (const s of m.steps) {
          let next = step.next.get(s);
          if (next === undefined) step.next.set(s, (next = { rule: NONE, next: new Map() }));
          step = next;
        }
        step.rule = Math.min(step.rule, i);
      } else if (m.kind === 'type') {
        if (m.child === undefined) lowest(plan.byType, m.key, i);
        else lowest2(plan.byTypeChild, m.key, m.child, i);
      } else if (m.kind === 'name') {
        if (m.child === undefined) lowest(plan.byName, m.key, i);
        else lowest2(plan.byNameChild, m.key, m.child, i);
      }
    });
    const done = { ...plan, root };
    this.#byResource.set(cacheKey, done);
    return done;
  }

  /**
   * Applies the rules to one resource (not entering nested resources, which are returned for the
   * caller to process as resources of their own); the resource was conformed to the R4 shapes
   * first (conform-shape.ts, which also drops unknown elements when asked). Same result as
   * `runRules` for the rule lists {@link CompiledPlan.of} accepts.
   */
  run(
    resource: JsonObject, ctx: Omit<MethodContext, 'visited' | 'substituted'>, onRule: (rule: CompiledRule['rule']) => void,
    marks?: PruneMarks,
  ): ElementNode[] {
    const resourceType = typeof resource.resourceType === 'string' ? resource.resourceType : UNKNOWN;
    let skip: number[] | undefined;
    for (const r of this.rules) {
      if (r.plan?.kind !== 'root-where' || (r.resourceType !== '' && r.resourceType !== resourceType)) continue;
      if (!r.plan.where.test(resource)) (skip ??= []).push(r.index);
    }
    const plan = this.#plan(resourceType, skip ?? []);
    const full: MethodContext = { ...ctx, visited: new Set<string>(), substituted: [] };
    const rules = this.rules;
    const nested: ElementNode[] = [];
    const root = new PlanNode(resourceType, resourceType, resourceType, false, { '': resource }, '', undefined, undefined);

    const direct = (parent: PlanNode, name: string, type: string): number => {
      let d = plan.byType.get(type) ?? NONE;
      const tc = plan.byTypeChild.get(parent.type)?.get(name);
      if (tc !== undefined && tc < d) d = tc;
      const n = plan.byName.get(name);
      if (n !== undefined && n < d) d = n;
      const nc = plan.byNameChild.get(parent.name)?.get(name);
      if (nc !== undefined && nc < d) d = nc;
      return d;
    };
    const frameOf = (parent: PlanNode, childPath: string): Frame => {
      const k = `${parent.type}\0${parent.name}\0${childPath}`;
      let f = plan.frames.get(k);
      if (f === undefined) plan.frames.set(k, (f = new Map<string, ChildPlan | null>()));
      return f;
    };

    if (resource.resourceType === '' && marks !== undefined) marks.full = true; // the walk skips it; pruning removes it
    const hasWhere = plan.whereByType.size > 0;
    const fallible = this.fallible;
    // What pruning will have to look at (prune-marked.ts): `obj`, an object of this resource
    // (`parent` its node) that holds an empty value, and the objects above it.
    const dirty = marks?.dirty;
    const mark = (obj: JsonObject, parent: PlanNode): void => {
      if (dirty === undefined || dirty.has(obj)) return;
      dirty.add(obj);
      for (let n: PlanNode | undefined = parent; n !== undefined && !dirty.has(n.holder); n = n.parent) dirty.add(n.holder);
    };
    /** A value shape the walk does not follow (an array or object where R4 wants a primitive, ...): prune everything. */
    const unfollowed = (): void => {
      if (marks !== undefined) marks.full = true;
    };

    // The tree engine applies a rule to every node of a matched subtree, and `generalize` throws on
    // a complex one, whatever its value (nested resources and empty elements included): throw
    // here too, so the run is redone on the tree (see `fallible`).
    const failIfGeneralizeOnComplex = (
      parent: PlanNode, name: string, base: string, cp: ChildPlan | null | undefined, step: PathStep | undefined, inherited: number, value: unknown, index: number | undefined,
    ): void => {
      const info = cp?.info;
      const nestedType = isJsonObject(value) && typeof value.resourceType === 'string' ? value.resourceType : undefined;
      if (nestedType === undefined && (info === undefined ? !isJsonObject(value) : info.primitive)) return;
      let rule = nestedType === undefined ? (cp?.direct ?? direct(parent, name, info?.type ?? UNKNOWN)) : direct(parent, name, nestedType);
      if (inherited < rule) rule = inherited;
      if (step !== undefined && step.rule < rule) rule = step.rule;
      if (rule !== NONE && rules[rule]?.rule.method === 'generalize') {
        const node = new PlanNode(name, nestedType ?? info?.type ?? UNKNOWN, undefined, false, parent.holder, base, index, parent);
        throw new FhirDeidError('fhir-rule-not-applicable', 'generalize applies only to primitive elements', { place: { path: node.key } });
      }
    };

    // One element value (an array item, or the value itself): defined once per resource, not per property.
    const visit = (
      obj: JsonObject, base: string, name: string, cp: ChildPlan | null | undefined, step: PathStep | undefined, parent: PlanNode, inherited: number,
      value: unknown, extra: unknown, index: number | undefined,
    ): void => {
      const info = cp?.info;
      if (fallible) failIfGeneralizeOnComplex(parent, name, base, cp, step, inherited, value, index);
      // A nested resource. Known elements are typed `Resource` (conform-shape.ts removed any object
      // with a resourceType elsewhere, and any other value there): no look-up of a property most
      // objects lack; unknown ones (kept when the profile keeps them) are asked.
      if (isJsonObject(value) && (info === undefined ? typeof value.resourceType === 'string' : info.type === 'Resource')) {
        const rt = value.resourceType as string;
        nested.push(new PlanNode(name, rt, rt, info === undefined ? false : info.primitive, obj, base, index, parent));
        return;
      }
      if ((value === null || value === undefined) && !isJsonObject(extra)) {
        mark(obj, parent);
        return;
      }
      const type = info?.type ?? UNKNOWN;
      let rule = cp?.direct ?? direct(parent, name, type);
      if (inherited < rule) rule = inherited;
      if (step !== undefined && step.rule < rule) rule = step.rule;
      const primitive = info === undefined ? !isJsonObject(value) : info.primitive;
      if (primitive) {
        const compiled = rule === NONE ? undefined : rules[rule];
        const touched = compiled !== undefined && compiled.rule.method !== 'keep' && value !== null && value !== undefined;
        if (marks !== undefined && !touched) {
          if (value === '') mark(obj, parent);
          else if (typeof value === 'object') unfollowed();
        }
        if (!touched && !isJsonObject(extra)) return;
        const node = new PlanNode(name, type, info?.childPath, true, obj, base, index, parent);
        if (touched) {
          onRule(compiled.rule);
          applyMethod(node, compiled, full, resource);
          if (marks !== undefined) {
            const now = nodeValue(node);
            if (now === null || now === undefined || now === '') mark(obj, parent);
            else if (typeof now === 'object') unfollowed();
          }
        }
        if (isJsonObject(extra)) {
          if (cp !== null && cp !== undefined) cp.companionFrame ??= frameOf(node, 'Element');
          walkObject(extra, 'Element', node, rule, step, cp?.companionFrame);
        }
      } else if (isJsonObject(value)) {
        const filtered = hasWhere ? plan.whereByType.get(type) : undefined;
        if (filtered !== undefined) {
          for (const w of filtered) {
            if (w.index >= rule) break;
            if (w.where.test(value)) {
              rule = w.index;
              break;
            }
          }
        }
        const node = new PlanNode(name, type, info?.childPath, false, obj, base, index, parent);
        if (cp !== null && cp !== undefined && info?.childPath !== undefined) cp.frame ??= frameOf(node, info.childPath);
        walkObject(value, info?.childPath, node, rule, step, cp?.frame);
      } else {
        unfollowed();
      }
    };

    // `known`: the frame, when the caller has it cached (it depends only on the parent's plan).
    const walkObject = (obj: JsonObject, childPath: string | undefined, parent: PlanNode, inherited: number, path: PathStep | undefined, known?: Frame): void => {
      let companions = false;
      let props = 0;
      for (const k in obj) {
        props++;
        if (k.charCodeAt(0) === 95) companions = true;
      }
      // Pruning aligns `_name` companions with their values (element-tree.ts): left to the full prune.
      if (companions) unfollowed();
      else if (props === 0) mark(obj, parent);
      const frame = known ?? (childPath === undefined ? undefined : frameOf(parent, childPath));
      // `for...in` (not Object.keys): V8 then loads `obj[prop]` by its index in the object's layout
      // (enumeration cache). Plain JSON objects: own properties, in Object.keys order; a property
      // added during the walk is not visited either way, and the only one removed before its turn
      // (an unknown primitive's `_name` companion) is skipped either way.
      for (const prop in obj) {
        if (prop === 'resourceType' && parent === root) continue;
        let base = prop;
        if (companions && prop.charCodeAt(0) === 95) {
          base = prop.slice(1);
          if (base in obj) continue; // handled with its value
        }
        let cp: ChildPlan | null | undefined;
        if (frame !== undefined && childPath !== undefined) {
          cp = frame.get(base);
          if (cp === undefined) {
            const info = elementInfo(childPath, base);
            cp = info === undefined ? null : { info, direct: direct(parent, info.name, info.type) };
            frame.set(base, cp);
          }
        }
        const info = cp?.info;
        let raw = base === prop ? obj[prop] : undefined;
        let companion = companions ? obj[`_${base}`] : undefined;
        if (info?.repeating === true) {
          // Lenient input: a single value where R4 wants an array (R4 §3.1.1.2). (No second read
          // of `obj[prop]`: a keyed load that sees few names is specialized by V8, then deoptimized.)
          if (raw !== undefined && raw !== null && !Array.isArray(raw)) obj[prop] = raw = [raw];
          if (companion !== undefined && companion !== null && !Array.isArray(companion)) obj[`_${base}`] = companion = [companion];
        }
        const name = info?.name ?? base;
        const step = path?.next.get(name);
        const values = raw === undefined ? companion : raw;
        if (Array.isArray(values)) {
          if (values.length === 0) mark(obj, parent);
          const extras = Array.isArray(companion) ? (companion as unknown[]) : undefined;
          const count = raw === undefined || extras === undefined ? values.length : Math.max(values.length, extras.length);
          for (let i = 0; i < count; i++) visit(obj, base, name, cp, step, parent, inherited, raw === undefined ? undefined : values[i], extras?.[i], i);
        } else {
          visit(obj, base, name, cp, step, parent, inherited, raw, companion, undefined);
        }
      }
    };

    if (fallible && plan.root !== NONE && rules[plan.root]?.rule.method === 'generalize') {
      throw new FhirDeidError('fhir-rule-not-applicable', 'generalize applies only to primitive elements', { place: { path: '' } });
    }
    const rootPath = resourceType === UNKNOWN ? undefined : resourceType;
    if (rootPath !== undefined) plan.rootFrame ??= frameOf(root, rootPath);
    walkObject(resource, rootPath, root, plan.root, plan.paths, plan.rootFrame);
    return nested;
  }
}
