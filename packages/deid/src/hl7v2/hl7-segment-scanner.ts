import type { MethodApplier } from '../profiles/method-applier.ts';
import type { Hl7FieldDeidentifier, Hl7FieldScope } from './hl7-field-deidentifier.ts';
import type { Hl7KnownValues } from './hl7-known-values.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';
import { mayHoldCodedText } from './hl7-coded-text.ts';
import { mayHoldLocationText } from './hl7-location-text.ts';
import { mayHoldSpecimenText } from './hl7-specimen-source-text.ts';
import { OP_CODED, OP_KEEP, OP_OVERRIDE, OP_REMOVE, type ComponentRule, type FieldAction, type Hl7SegmentPlans, type SegmentPlan } from './hl7-segment-plan.ts';
import { Hl7SeparatorIndex } from './hl7-separator-index.ts';
import { isHeader } from './hl7-structure.ts';
import type { Hl7TallyCounter } from './hl7-tally-counter.ts';

const NO_POSITIONS = new Int32Array(0);
const QUOTE = 34; // `""`, the HL7 explicit null, is never changed by a table rule

/**
 * Applies a segment's plan in one pass over its text (HL7 v2.8 Ch. 2 §2.5): the scanner finds each
 * field by its separator, runs the field's action, and builds the output from the input's
 * untouched spans and the replacements; a segment nothing changes is returned as it came. Trailing
 * empty fields are dropped, as a field-array serializer would.
 */
export class Hl7SegmentScanner {
  readonly #fields: Hl7FieldDeidentifier;
  readonly #methods: MethodApplier;
  readonly #plans: Hl7SegmentPlans;
  readonly #counter: Hl7TallyCounter;
  /** For {@link segment} (one segment at a time). */
  readonly #index = new Hl7SeparatorIndex();

  constructor(fields: Hl7FieldDeidentifier, methods: MethodApplier, plans: Hl7SegmentPlans, counter: Hl7TallyCounter) {
    this.#fields = fields;
    this.#methods = methods;
    this.#plans = plans;
    this.#counter = counter;
  }

  /** The segment's new text, or undefined when the segment is removed. */
  segment(text: string, plan: SegmentPlan, scope: Hl7FieldScope, known: Hl7KnownValues): string | undefined {
    if (plan.whole !== 'fields') return this.segmentAt(text, plan, scope, known, NO_POSITIONS, 0, 0);
    const index = this.#index;
    index.reset();
    const count = index.walk(text, scope.enc.field);
    return this.segmentAt(text, plan, scope, known, index.positions, 0, count);
  }

  /**
   * {@link segment} with the segment's field separators already found: `positions[from ..
   * from + count)` ({@link Hl7SeparatorIndex}; only read for a plan that goes field by field).
   */
  segmentAt(text: string, plan: SegmentPlan, scope: Hl7FieldScope, known: Hl7KnownValues, positions: Int32Array, from: number, count: number): string | undefined {
    if (plan.whole === 'keep') return text;
    if (plan.whole === 'remove') {
      this.#counter.bump(plan.removeSlot);
      return undefined;
    }
    // The separator before the first field processed: after MSH-2 for headers (MSH-1, MSH-2 are
    // the delimiters), i.e. the first one at 4 or later.
    let k = from;
    const last = from + count;
    if (plan.header) while (k < last && (positions[k] as number) < 4) k += 1;
    if (k >= last) return text;
    const before = positions[k] as number;
    let out = '';
    let copied = 0;
    // Trailing empty fields are dropped without reading the output back (which would flatten the
    // rope of slices): `snap` is the output up to the last non-empty field output when that ends
    // inside `out`; `keptEnd` the input end of the last non-empty kept field past `copied`.
    let snap: string | undefined;
    let keptEnd = -1;
    let n = plan.header ? 3 : 1;
    let s = before + 1;
    let fields: readonly string[] | undefined;
    for (;;) {
      k += 1;
      const e = k < last ? (positions[k] as number) : text.length;
      const action = plan.actions[n] ?? this.#plans.action(plan, n);
      if (e > s) {
        let replacement: string | undefined;
        if (action.components !== undefined) {
          fields ??= leadingFields(text, scope.enc);
          replacement = this.#withComponents(action, text.slice(s, e), plan, scope, known, fields);
        } else if (action.op === OP_REMOVE) {
          if (!isNull(text, s, e)) {
            this.#counter.bump(action.slot);
            replacement = '';
          }
        } else if (action.op === OP_KEEP || (action.op === OP_CODED && !mayHoldTypedText(action.rule.kind, text, s, e, scope.enc))) {
          if (!isNull(text, s, e) && known.anyIn(text, s, e, scope.enc)) replacement = this.#dropKnown(action, text.slice(s, e), scope, known);
        } else {
          if (action.rule.kind === 'obx5') fields ??= leadingFields(text, scope.enc);
          const raw = text.slice(s, e);
          const changed = this.#apply(action, raw, plan, scope, fields ?? []);
          if (changed !== raw) replacement = changed;
        }
        if (replacement === undefined) keptEnd = e;
        else if (replacement !== '') {
          out += text.slice(copied, s) + replacement;
          copied = e;
          snap = out;
          keptEnd = -1;
        } else {
          if (keptEnd > copied) {
            out += text.slice(copied, keptEnd);
            snap = out;
            copied = keptEnd;
          }
          out += text.slice(copied, s);
          copied = e;
          keptEnd = -1;
        }
      } else if (action.op === OP_OVERRIDE) {
        this.#countTextSpans(action); // as for any field a rule addresses, empty or not
      }
      if (e >= text.length) break;
      s = e + 1;
      n += 1;
    }
    if (keptEnd > copied) return copied === 0 ? (keptEnd === text.length ? text : text.slice(0, keptEnd)) : out + text.slice(copied, keptEnd);
    // No field output after the last replacement: what follows it is separators only.
    return snap ?? text.slice(0, before);
  }

  /** A field's new value under its rule or override (counted); `raw` is not empty. */
  #apply(action: FieldAction, raw: string, plan: SegmentPlan, scope: Hl7FieldScope, fields: readonly string[]): string {
    const override = action.override;
    if (override !== undefined) {
      const out = this.#fields.withMethod(override.method, override.category ?? 'other-id', raw, scope);
      this.#countTextSpans(action);
      if (out !== raw && override.method.kind !== 'text') this.#counter.bump(action.slot);
      return out;
    }
    if (raw === '""') return raw;
    const kind = action.rule.kind;
    if (action.op === OP_REMOVE) {
      this.#counter.bump(action.slot);
      return '';
    }
    const out = this.#fields.transform(plan.id, action.n, raw, action.rule, scope, fields, action.ruleId);
    // Text, OBX-5, coded entries and locations count their changes inside (text spans, known values).
    if (out !== raw && kind !== 'text' && kind !== 'obx5' && kind !== 'coded' && kind !== 'location' && kind !== 'specimen') this.#counter.bump(action.slot);
    return out;
  }

  #countTextSpans(action: FieldAction): void {
    for (const span of this.#methods.takeTextSpans()) this.#counter.add(span.category, `${action.ruleId}:text`);
  }

  /**
   * A kept field with a subcomponent that is one of the message's known identifiers: malformed
   * feeds put MRNs and names in the wrong fields, and such a value is removed rather than trusted.
   */
  #dropKnown(action: FieldAction, raw: string, scope: Hl7FieldScope, known: Hl7KnownValues): string {
    const { enc } = scope;
    const out = raw
      .split(enc.repetition)
      .map((rep) => rep.split(enc.component).map((comp) => comp.split(enc.subcomponent).map((sub) => (known.isKnown(sub, enc) ? '' : sub)).join(enc.subcomponent)).join(enc.component))
      .join(enc.repetition);
    this.#counter.bump(action.knownSlot);
    // A coded entry counts a known value as its rule does (rule `coded` in hl7-field-deidentifier.ts): under `:known-value` only.
    if (out !== raw && action.op === OP_KEEP) this.#counter.bump(action.slot);
    return out;
  }

  /**
   * A field with component rules (`PID-5.2`, `PID-11.5.1`): per repetition, the field's own rule
   * runs, then each addressed part is set to its rule's method applied to the part's original value.
   */
  #withComponents(action: FieldAction, raw: string, plan: SegmentPlan, scope: Hl7FieldScope, known: Hl7KnownValues, fields: readonly string[]): string | undefined {
    const { enc } = scope;
    const rules = action.components ?? [];
    const reps = raw.split(enc.repetition).map((rep) => {
      if (rep === '') return rep;
      let base = rep;
      if (action.op === OP_KEEP) {
        if (!isNull(rep, 0, rep.length) && known.anyIn(rep, 0, rep.length, enc)) base = this.#dropKnown(action, rep, scope, known);
      } else {
        base = this.#apply(action, rep, plan, scope, fields);
      }
      const comps = rep.split(enc.component);
      const outComps = base === '' ? [] : base.split(enc.component);
      for (const r of rules) {
        const original = partOf(comps, r, enc.subcomponent);
        const value = original === '' ? '' : this.#fields.withMethod(r.rule.method, r.rule.category ?? 'other-id', original, scope);
        for (const span of this.#methods.takeTextSpans()) this.#counter.add(span.category, `${action.ruleId}:text`);
        if (value !== original && r.rule.method.kind !== 'text') this.#counter.bump(r.slot);
        putPart(outComps, r, value, enc.subcomponent);
      }
      return trimJoin(outComps, enc.component);
    });
    const out = trimJoin(reps, enc.repetition);
    return out === raw ? undefined : out;
  }
}

/**
 * Fields 0-3 of a segment as `segmentFields` numbers them (the rules read only OBX-2 and OBX-3,
 * the value type and code of OBX-5), without splitting the whole segment.
 */
/**
 * The in-place prefilter of an OP_CODED field by its rule: false when the field holds nothing
 * the text rule would take (most coded fields, locations and specimen sources), so it is kept as it is.
 */
function mayHoldTypedText(kind: string, text: string, s: number, e: number, enc: Hl7Encoding): boolean {
  if (kind === 'location') return mayHoldLocationText(text, s, e, enc);
  if (kind === 'specimen') return mayHoldSpecimenText(text, s, e, enc);
  return mayHoldCodedText(text, s, e, enc);
}

function leadingFields(text: string, enc: Hl7Encoding): string[] {
  const out: string[] = [];
  let s = 0;
  for (let k = 0; k < 4 && s <= text.length; k++) {
    let e = text.indexOf(enc.field, s);
    if (e < 0) e = text.length;
    out.push(text.slice(s, e));
    s = e + 1;
  }
  if (isHeader(out[0] ?? '')) out.splice(1, 0, enc.field);
  return out;
}

function isNull(text: string, s: number, e: number): boolean {
  return e - s === 2 && text.charCodeAt(s) === QUOTE && text.charCodeAt(s + 1) === QUOTE;
}

/** The addressed component (or subcomponent) of a repetition's components, '' when absent. */
function partOf(comps: readonly string[], r: ComponentRule, subSep: string): string {
  const comp = comps[r.component] ?? '';
  return r.subcomponent < 0 ? comp : (comp.split(subSep)[r.subcomponent] ?? '');
}

function putPart(comps: string[], r: ComponentRule, value: string, subSep: string): void {
  while (comps.length <= r.component) comps.push('');
  if (r.subcomponent < 0) {
    comps[r.component] = value;
    return;
  }
  const subs = (comps[r.component] ?? '').split(subSep);
  while (subs.length <= r.subcomponent) subs.push('');
  subs[r.subcomponent] = value;
  comps[r.component] = trimJoin(subs, subSep);
}

function trimJoin(parts: string[], separator: string): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end -= 1;
  return (end === parts.length ? parts : parts.slice(0, end)).join(separator);
}
