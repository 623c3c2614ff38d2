import { DeidError } from '../context/deid-error.ts';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';
import type { DeidProfile, ProfileRule } from '../profiles/deid-profile.ts';
import type { MethodApplier } from '../profiles/method-applier.ts';
import { HL7_RULE_CATEGORY, WHOLE_KIND } from './hl7-field-deidentifier.ts';
import type { FieldRule } from './hl7-safe-harbor-table.ts';
import { isHeader } from './hl7-structure.ts';
import type { Hl7TallyCounter } from './hl7-tally-counter.ts';

/** What happens to one field (op codes, plain numbers: the scanner switches on them per field). */
export const OP_KEEP = 0; // kept; its subcomponents are checked against the known identifiers
export const OP_REMOVE = 1; // emptied
export const OP_RULE = 2; // a table rule through Hl7FieldDeidentifier
export const OP_OVERRIDE = 3; // a profile rule `SEG-n` for the whole field
export const OP_CODED = 4; // a coded entry, a location or a specimen source: OP_KEEP unless it may hold free text (hl7-coded-text.ts, hl7-location-text.ts, hl7-specimen-source-text.ts), then OP_RULE

/** A profile rule for one component (`SEG-n.c`) or subcomponent (`SEG-n.c.s`) of a field. */
export interface ComponentRule {
  readonly rule: ProfileRule;
  /** 0-based component index. */
  readonly component: number;
  /** 0-based subcomponent index, or -1 for the whole component. */
  readonly subcomponent: number;
  /** Counted when the rule changes a value. */
  readonly slot: number;
}

export interface FieldAction {
  readonly op: number;
  readonly n: number;
  readonly rule: FieldRule;
  /** `hl7.SEG-n`. */
  readonly ruleId: string;
  /** The slot counting a change of the whole field (`hl7.SEG-n:kind`, or the override's id). */
  readonly slot: number;
  /** OP_KEEP, OP_CODED: the slot of `:known-value`. */
  readonly knownSlot: number;
  readonly override: ProfileRule | undefined;
  /** Component rules, applied over the field's own rule (see docs/deid/hl7v2.md). */
  readonly components: readonly ComponentRule[] | undefined;
}

/** A segment id's precompiled treatment. */
export interface SegmentPlan {
  readonly id: string;
  /** 'keep' or 'remove' the whole segment, or 'fields' to go field by field. */
  readonly whole: 'keep' | 'remove' | 'fields';
  /** For 'remove': the slot counting the removal. */
  readonly removeSlot: number;
  readonly header: boolean;
  /** Actions by field number (index 0 unused); fields past the end are removed. */
  readonly actions: readonly FieldAction[];
  readonly table: readonly FieldRule[];
}

const REMOVE: FieldRule = { kind: 'remove' };

/**
 * Builds the per-segment plans from the Safe Harbor table and the profile's `hl7` rules, once per
 * segment id, with every rule id string and tally slot computed up front.
 */
export class Hl7SegmentPlans {
  readonly #table: ReadonlyMap<string, readonly FieldRule[]>;
  readonly #methods: MethodApplier;
  readonly #profile: DeidProfile;
  readonly #counter: Hl7TallyCounter;
  readonly #overrides = new Map<string, ProfileRule>();
  readonly #components = new Map<string, { rule: ProfileRule; component: number; subcomponent: number }[]>();
  readonly #plans = new Map<string, SegmentPlan>();

  constructor(table: ReadonlyMap<string, readonly FieldRule[]>, methods: MethodApplier, counter: Hl7TallyCounter) {
    this.#table = table;
    this.#methods = methods;
    this.#profile = methods.profile.profile;
    this.#counter = counter;
    for (const rule of this.#profile.rules) {
      const target = rule.target.hl7;
      if (target === undefined) continue;
      const [field = '', component, subcomponent] = target.split('.');
      if (component === undefined) {
        this.#overrides.set(field, rule);
        continue;
      }
      const list = this.#components.get(field) ?? [];
      list.push({ rule, component: Number(component) - 1, subcomponent: subcomponent === undefined ? -1 : Number(subcomponent) - 1 });
      this.#components.set(field, list);
    }
    for (const field of this.#components.keys()) {
      const [id = '', n = ''] = field.split('-');
      if (table.get(id)?.[Number(n) - 1]?.kind === 'pid' && !this.#overrides.has(field)) {
        // The identifier list is rebuilt around the patient's pseudonym; its repetitions do not keep their places.
        throw new DeidError('invalid-profile', 'a component rule cannot address the patient identifier list (PID-3, MRG-1); give the whole field a rule', { place: { segment: id, field: n } });
      }
    }
  }

  plan(id: string): SegmentPlan {
    let plan = this.#plans.get(id);
    if (plan === undefined) {
      plan = this.#build(id);
      this.#plans.set(id, plan);
    }
    return plan;
  }

  /** The action for field `n` of a plan (fields past the table are removed; built on demand). */
  action(plan: SegmentPlan, n: number): FieldAction {
    const known = plan.actions[n];
    if (known !== undefined) return known;
    const action = this.#action(plan.id, n, plan.table[n - 1] ?? REMOVE);
    // Kept for the next message, up to a bound (a malformed segment may have thousands of fields).
    if (n <= 512) (plan.actions as FieldAction[])[n] = action;
    return action;
  }

  #build(id: string): SegmentPlan {
    const table = this.#table.get(id);
    const star = this.#overrides.get(`${id}-*`);
    const base = { id, header: isHeader(id), actions: [], table: table ?? [], removeSlot: -1 };
    if (table === undefined) {
      const keep = star === undefined ? this.#profile.unknown === 'keep' : star.method.kind === 'keep';
      return { ...base, whole: keep ? 'keep' : 'remove', removeSlot: this.#counter.slot('other-id', `hl7.${id}:remove-segment`) };
    }
    if (star !== undefined && star.method.kind === 'redact') {
      return { ...base, whole: 'remove', removeSlot: this.#counter.slot(star.category ?? 'other-id', `hl7.${id}:remove-segment`) };
    }
    const actions: FieldAction[] = [];
    for (let n = isHeader(id) ? 3 : 1; n <= table.length; n++) actions[n] = this.#action(id, n, table[n - 1] ?? REMOVE);
    return { ...base, whole: 'fields', actions };
  }

  /**
   * A whole-value rule (name, phone, ssn, ...) whose kind the profile redacts: the field would go
   * through the method only to become '' (and '""' stays), which is what OP_REMOVE does, counted
   * in the same slot, without the dispatch.
   */
  #redacted(rule: FieldRule): boolean {
    const kind = rule.kind === 'keep' ? undefined : WHOLE_KIND[rule.kind];
    return kind !== undefined && this.#methods.methodFor(kind).kind === 'redact';
  }

  #action(id: string, n: number, rule: FieldRule): FieldAction {
    const ruleId = `hl7.${id}-${String(n)}`;
    const override = this.#overrides.get(ruleId.slice(4));
    const components = this.#components.get(ruleId.slice(4))?.map((c) => ({
      ...c,
      slot: this.#counter.slot(c.rule.category ?? 'other-id', c.rule.id ?? `${ruleId}.${String(c.component + 1)}${c.subcomponent < 0 ? '' : `.${String(c.subcomponent + 1)}`}:${c.rule.method.kind}`),
    }));
    if (override !== undefined) {
      const category: SafeHarborCategory = override.category ?? 'other-id';
      return { op: OP_OVERRIDE, n, rule, ruleId, slot: this.#counter.slot(category, override.id ?? `${ruleId}:${override.method.kind}`), knownSlot: -1, override, components };
    }
    const slot = this.#counter.slot(HL7_RULE_CATEGORY[rule.kind] ?? 'other-id', `${ruleId}:${rule.kind}`);
    const op = rule.kind === 'remove' || this.#redacted(rule) ? OP_REMOVE : this.#methods.methodFor('safe').kind !== 'keep' ? OP_RULE : rule.kind === 'keep' ? OP_KEEP : rule.kind === 'coded' || rule.kind === 'location' || rule.kind === 'specimen' ? OP_CODED : OP_RULE;
    const knownSlot = op === OP_KEEP || op === OP_CODED ? this.#counter.slot('other-id', `${ruleId}:known-value`) : -1;
    return { op, n, rule, ruleId, slot, knownSlot, override: undefined, components };
  }
}
