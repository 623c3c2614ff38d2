import type { PatientContext } from '../context/patient-context.ts';
import { type ElementNode, type JsonObject, isJsonObject, nodeValue, pruneEmpty, setNodeValue } from './element-tree.ts';
import { FhirDeidError } from './fhir-deid-error.ts';
import { CompiledPlan } from './compiled-plan.ts';
import { type CompiledRule, compileRules, type FhirPathRule } from './fhir-rule.ts';
import { runRules } from './rule-engine.ts';
import type { FhirMethodHooks, FhirOperation, FhirRuleParameters } from './rule-methods.ts';
import { addSecurityLabels, type SecurityLabelStyle } from './security-labels.ts';
import { newPruneMarks, type PruneMarks, pruneMarked } from './prune-marked.ts';
import { conformShape, type ShapeProblem } from './conform-shape.ts';
import { isResourceType } from './fhir-model.ts';

/** Per resource: its patient and our methods' hooks (from the de-identifier that knows them). */
export interface ResourceEnvironment {
  readonly patient: PatientContext | undefined;
  readonly hooks: FhirMethodHooks;
}

export interface FhirRuleAnonymizerOptions {
  readonly rules: readonly FhirPathRule[];
  readonly parameters: FhirRuleParameters;
  readonly labels: SecurityLabelStyle;
  /** Remove elements R4 does not define, before the rules run (ours: unknown content may be anything). */
  readonly dropUnknownElements: boolean;
  /** Evaluate every rule with the `fhirpath` package (no type-index fast path); for measurement. */
  readonly fhirPathOnly?: boolean;
  /** Use the element tree and rule-by-rule matching even where a compiled plan applies (equivalence tests). */
  readonly treeEngine?: boolean;
  /** Clock for the "older than 89" rule; tests pin it. */
  readonly now?: () => Date;
}

export interface AnonymizeHooks {
  /** The environment of a resource; `container` is set for contained and Bundle-entry resources. */
  environment(resource: JsonObject, contained: boolean): ResourceEnvironment;
  /** Called for each thing a method did (counts for the manifest). */
  record(op: FhirOperation, node: ElementNode, rule: FhirPathRule, resourceType: string): void;
  /** Called before a resource's rules run (e.g. to drop unknown extensions). */
  prepare?(resource: JsonObject): void;
  /** Called for each value removed before the rules because R4 defines another shape for it (conform-shape.ts). */
  malformed?(problem: ShapeProblem): void;
}

const NO_HOOKS: FhirMethodHooks = {
  pseudonymize: () => {
    throw new FhirDeidError('fhir-bad-config', 'pseudonymize needs a patient context factory');
  },
  text: () => null,
  kind: () => ({ value: null, op: 'redact' }),
};

/** Puts a copy's content back into the object (same identity: callers hold it). */
export function restoreResource(resource: JsonObject, copy: JsonObject): void {
  for (const k of Object.keys(resource)) Reflect.deleteProperty(resource, k);
  Object.assign(resource, copy);
}

/** What every resource of one `anonymize` call shares. */
interface RunInfo {
  readonly rootId: string;
  readonly now: Date;
}

export const DEFAULT_ENVIRONMENT: ResourceEnvironment = { patient: undefined, hooks: NO_HOOKS };

/**
 * Applies compiled FHIRPath rules to a resource and everything nested in it (contained
 * resources, Bundle entries), each as a resource of its own, labels each non-contained resource
 * with what was done, and removes what was emptied. Mutates and returns the resource.
 */
export class FhirRuleAnonymizer {
  readonly #rules: readonly CompiledRule[];
  readonly #options: FhirRuleAnonymizerOptions;
  readonly #plan: CompiledPlan | undefined;

  constructor(options: FhirRuleAnonymizerOptions) {
    this.#rules = compileRules(options.rules, { fhirPathOnly: options.fhirPathOnly === true });
    this.#options = options;
    this.#plan = options.treeEngine === true || options.fhirPathOnly === true ? undefined : CompiledPlan.of(this.#rules);
  }

  /** True when the rules run as a compiled plan (else on the element tree, see `rule-engine.ts`). */
  get compiled(): boolean {
    return this.#plan !== undefined;
  }

  /**
   * True when the compiled plan may have to be redone on the element tree (`generalize` rules,
   * compiled-plan.ts `fallible`): a caller choosing the engine itself keeps a copy of the input.
   */
  get fallible(): boolean {
    return this.#plan?.fallible === true;
  }

  /**
   * `engine`: run the compiled plan (when there is one) or the element tree, and nothing else.
   * Without it: the plan when there is one; a fallible plan that throws is redone on the tree from
   * a copy of the input taken before (counts recorded only once the run succeeds, so they are the
   * tree engine's; `environment` and `prepare` are called again for the redone resources).
   */
  anonymize(resource: JsonObject, hooks: AnonymizeHooks, engine?: 'plan' | 'tree'): JsonObject {
    if (typeof resource.resourceType !== 'string') throw new FhirDeidError('fhir-not-a-resource', 'the JSON has no resourceType');
    if (!isResourceType(resource.resourceType)) {
      throw new FhirDeidError('fhir-not-a-resource', 'the resourceType is not an R4 resource type', { place: { path: 'resourceType' } });
    }
    // Fail closed on malformed input: what the R4 model cannot place, no rule would find.
    for (const problem of conformShape(resource, resource.resourceType, this.#options.dropUnknownElements)) hooks.malformed?.(problem);
    // The outermost resource's id (the Microsoft date-shift prefix) and the clock, read once per call.
    const run: RunInfo = { rootId: typeof resource.id === 'string' ? resource.id : '', now: this.#options.now?.() ?? new Date() };
    const plan = engine === 'tree' ? undefined : this.#plan;
    if (engine === undefined && plan?.fallible === true) {
      const backup = structuredClone(resource);
      const records: Parameters<AnonymizeHooks['record']>[] = [];
      try {
        this.#process(resource, run, false, { ...hooks, record: (...a) => records.push(a) }, plan);
      } catch {
        restoreResource(resource, backup);
        this.#process(resource, run, false, hooks, undefined);
        pruneEmpty(resource);
        return resource;
      }
      for (const a of records) hooks.record(...a);
    } else if (plan !== undefined && !plan.fallible) {
      // The walk marks where pruning has anything to do (prune-marked.ts).
      const marks = newPruneMarks();
      this.#process(resource, run, false, hooks, plan, true, marks);
      pruneMarked(resource, marks);
      return resource;
    } else {
      this.#process(resource, run, false, hooks, plan);
    }
    pruneEmpty(resource);
    return resource;
  }

  /**
   * Processes one resource and what is nested in it; returns what was done. A nested resource that
   * gets `meta` is replaced by a labelled copy in its holder (`top`: the caller's object, changed in place).
   */
  #process(
    resource: JsonObject, run: RunInfo, contained: boolean, hooks: AnonymizeHooks, plan: CompiledPlan | undefined, top = true, marks?: PruneMarks,
  ): Set<FhirOperation> {
    const ops = new Set<FhirOperation>();
    hooks.prepare?.(resource);
    const env = hooks.environment(resource, contained);
    const resourceType = typeof resource.resourceType === 'string' ? resource.resourceType : '';
    let current: FhirPathRule | undefined;
    const ctx = {
      params: this.#options.parameters,
      rootId: run.rootId,
      patient: env.patient,
      now: run.now,
      hooks: env.hooks,
      record: (op: FhirOperation, node: ElementNode) => {
        ops.add(op);
        if (current !== undefined) hooks.record(op, node, current, resourceType);
      },
    };
    const onRule = (r: FhirPathRule): void => {
      current = r;
    };
    const nestedNodes = plan === undefined
      ? runRules(resource, this.#rules, ctx, { onRule }).nested
      : plan.run(resource, ctx, onRule, marks);
    for (const nested of nestedNodes) {
      const child = nodeValue(nested);
      if (!isJsonObject(child)) continue;
      const isContained = nested.name === 'contained';
      const childOps = this.#process(child, run, isContained, hooks, plan, false, marks);
      for (const op of childOps) ops.add(op);
      let held = child;
      if (!isContained) {
        const labelled = addSecurityLabels(child, childOps, this.#options.labels, false);
        if (labelled !== child) setNodeValue(nested, labelled);
        held = labelled;
      }
      // A nested resource with something to prune: so have the objects that hold it.
      if (marks !== undefined && marks.dirty.has(child)) {
        marks.dirty.add(held);
        for (let n: ElementNode | undefined = nested; n !== undefined; n = n.parent) marks.dirty.add(n.holder);
      }
    }
    if (!contained && top) addSecurityLabels(resource, ops, this.#options.labels);
    return ops;
  }
}
