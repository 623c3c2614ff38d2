import type { PatientContext, PatientContextFactory } from '../context/patient-context.ts';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';
import { AGE_LOINC_CODES, aggregatedBirthYear, generalizeAge, isOver89, namesAnAge } from '../safe-harbor/age.ts';
import type { DeidMethod, DeidProfile, ValueKind } from '../profiles/deid-profile.ts';
import type { MethodApplier } from '../profiles/method-applier.ts';
import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text, encodeHl7Text } from './hl7-escape.ts';
import { hl7DateEnd, isoOfHl7Date, isoToHl7Date } from './hl7-date.ts';
import { PseudonymCache } from './hl7-pseudonym-cache.ts';
import type { KnownValueLookup } from './hl7-known-values.ts';
import { identityOfCx, parseCx, resolvePatient, type Hl7IdentityRule, type ParsedCx, type ResolvedPatient } from './hl7-identity.ts';
import type { FieldRule } from './hl7-safe-harbor-table.ts';
import type { Hl7Counts } from './hl7-tally-counter.ts';
import type { KnownTextKeys } from './hl7-text-prefilter.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { plausibleCountry, plausibleState } from './hl7-region.ts';
import { mapCodedText, mayHoldCodedText } from './hl7-coded-text.ts';
import { mapLocationText, mayHoldLocationText } from './hl7-location-text.ts';
import { mapSpecimenText, mayHoldSpecimenText } from './hl7-specimen-source-text.ts';

/** What one message's fields are de-identified with. */
export interface Hl7FieldScope {
  readonly enc: Hl7Encoding;
  readonly patient: PatientContext | undefined;
  readonly factory: PatientContextFactory;
  readonly identity: Hl7IdentityRule;
  readonly known: KnownIdentifiers;
  /** The same values (looked up lower-cased), to catch an identifier sitting in a field the table keeps. */
  readonly knownValues: KnownValueLookup;
  /** ISO date for the over-89 rule (the message time). */
  readonly referenceDate: string | undefined;
  readonly tally: Hl7Counts;
  /**
   * The known values' keys for the free-text prefilter (hl7-text-prefilter.ts); without them every
   * text goes to the engine.
   */
  readonly textKeys?: KnownTextKeys | undefined;
  /** PID-3 as the message's patient was resolved from it (so the field is not parsed again), when it was. */
  readonly pid3?: Pid3 | undefined;
}

/** A PID-3 field, its parsed repetitions and the patient resolved from them. */
export interface Pid3 {
  readonly raw: string;
  readonly reps: readonly ParsedCx[];
  readonly resolved: ResolvedPatient | undefined;
}

/** The category a table rule's changes are counted under. */
export const HL7_RULE_CATEGORY: Readonly<Record<string, SafeHarborCategory>> = {
  name: 'name', prov: 'name', org: 'name', addr: 'geographic', county: 'geographic', place: 'geographic', phone: 'phone',
  date: 'date', dr: 'date', dob: 'date', pid: 'mrn', mrn: 'mrn', ssn: 'ssn', lic: 'license', plan: 'health-plan', dev: 'device',
  acct: 'account', id: 'other-id', eip: 'other-id', remove: 'other-id', keep: 'other-id', coded: 'other-id', location: 'other-id', specimen: 'other-id', text: 'other-id', obx5: 'other-id',
};
/** The value kind of a rule applied to the whole value (the `#field` default branch). */
export const WHOLE_KIND: Readonly<Record<string, ValueKind>> = {
  name: 'name', prov: 'name.provider', org: 'name.organization', county: 'geographic.county', place: 'geographic.birthplace',
  phone: 'phone', ssn: 'ssn', lic: 'license', plan: 'health-plan', dev: 'device', keep: 'safe',
};
const XAD_KINDS: readonly ValueKind[] = ['geographic.street', 'geographic.street', 'geographic.city', 'geographic.state', 'geographic.zip', 'geographic.country', 'safe', 'geographic', 'geographic.county', 'geographic'];
/** What a CX-5 identifier type written back must look like: a code, no spaces, no delimiters. */
const CX_TYPE_CODE = /^[A-Z0-9][A-Z0-9_.-]{0,9}$/u;
const CX_TYPE_KIND: Readonly<Record<string, ValueKind>> = { SS: 'ssn', SSN: 'ssn', DL: 'license', PPN: 'license', MA: 'health-plan', MC: 'health-plan', MB: 'health-plan', SN: 'health-plan' };
// OBX-2 value types (HL7 v2.8 Table 0125) and how their OBX-5 is treated.
const OBX5: Readonly<Record<string, FieldRule['kind']>> = {
  TX: 'text', FT: 'text', ST: 'text', DT: 'date', DTM: 'date', TS: 'date', XPN: 'name', XCN: 'prov', XON: 'org', XAD: 'addr', XTN: 'phone', CX: 'mrn', EI: 'mrn',
  NM: 'keep', SN: 'keep', CE: 'keep', CWE: 'keep', CNE: 'keep', CF: 'keep', ID: 'keep', IS: 'keep', TM: 'keep', NR: 'keep', MO: 'keep', CP: 'keep', NA: 'keep', MA: 'keep', CQ: 'keep',
};
/** OBX-2 types whose OBX-5 is a coded entry (HL7 v2.8 Ch. 2A CE, CWE, CNE, CF). */
const CODED_TYPES: ReadonlySet<string> = new Set(['CE', 'CWE', 'CNE', 'CF']);
/** The rule of OBX-5 by value type, made once (CX and EI values are ids of kind `observation-value`). */
const OBX5_RULE: ReadonlyMap<string, FieldRule> = new Map(Object.entries(OBX5).map(([type, kind]): [string, FieldRule] => [type, kind === 'mrn' ? { kind: 'id', idKind: 'observation-value' } : ({ kind } as FieldRule)]));
const OBX5_REMOVE: FieldRule = { kind: 'remove' };
const ISO_DATE = /^\d{4}(?:-\d{2}(?:-\d{2})?)?$/;
const NO_OPAQUE: readonly string[] = [];
/** The per-repetition rule of an OBX-5 age. */
const AGE = { kind: 'age' } as const;

/**
 * De-identifies one field value under a Safe Harbor table rule or a profile method (the segment
 * scanner calls it for the fields a rule changes); `fields[n]` is field n of the segment (fields 0-3 at least), read by
 * OBX-5 for its value type.
 */
export class Hl7FieldDeidentifier {
  readonly #methods: MethodApplier;
  readonly #profile: DeidProfile;
  readonly #pseudonyms = new PseudonymCache();
  /** `${ruleId}:text` per rule id, made once (a counted text span looks its slot up by it). */
  readonly #textRules = new Map<string, string>();
  /** The text engine is the known-identifier one (exactly: not a subclass), which the prefilter is proven against. */
  readonly #prefilter: boolean;
  constructor(methods: MethodApplier) {
    this.#methods = methods;
    this.#profile = methods.profile.profile;
    this.#prefilter = methods.textDeidentifier.constructor === KnownIdentifiersTextDeidentifier;
  }

  /**
   * Applies a table rule to a field value (`raw`, escaped, not '' or '""'); returns the new escaped
   * value ('' when removed). The field's own change is counted by the caller (a precomputed slot);
   * changes inside (text spans, known values, ages) are counted here.
   */
  transform(segment: string, n: number, raw: string, rule: FieldRule, scope: Hl7FieldScope, fields: readonly string[], ruleId: string): string {
    return this.#field(segment, n, raw, rule, scope, fields, ruleId);
  }

  /** Applies a given method (a path-specific profile rule) to a whole field; escaped in, escaped out. */
  withMethod(method: DeidMethod, kind: ValueKind, raw: string, scope: Hl7FieldScope, idKind?: string): string {
    if (method.kind === 'keep') return raw;
    if (method.kind === 'redact') return '';
    if (method.kind === 'pseudonym' && idKind !== 'patient' && scope.patient !== undefined) {
      const cached = this.#pseudonyms.get(scope, idKind ?? kind, raw);
      if (cached !== undefined) return cached;
      const out = this.#apply(method, kind, raw, scope, idKind);
      this.#pseudonyms.set(idKind ?? kind, raw, out);
      return out;
    }
    return this.#apply(method, kind, raw, scope, idKind);
  }

  #apply(method: DeidMethod, kind: ValueKind, raw: string, scope: Hl7FieldScope, idKind: string | undefined): string {
    // Most values have no escape: no decode (and no result object) for them.
    const { text, opaque } = raw.includes(scope.enc.escape) ? decodeHl7Text(raw, scope.enc) : { text: raw, opaque: NO_OPAQUE };
    // The known-identifier lists only for the text method (the only one that reads them): made on demand.
    const known = method.kind === 'text' ? this.#knownFor(text, scope) : undefined;
    // A text the engine would return unchanged with no span (hl7-text-prefilter.ts): as it returns it.
    if (known === null) return encodeHl7Text(text, scope.enc, opaque);
    const out = this.#methods.apply(method, text, idKind === undefined ? { kind, patient: scope.patient, known } : { kind, patient: scope.patient, known, idKind });
    return out === undefined ? '' : encodeHl7Text(out, scope.enc, opaque);
  }

  /** The known identifiers for the text engine, or `null` when the prefilter shows it would find none in `text`. */
  #knownFor(text: string, scope: Hl7FieldScope): KnownIdentifiers | null {
    const keys = scope.textKeys;
    if (this.#prefilter && keys !== undefined && !keys.mayHold(text)) return null;
    return scope.known;
  }

  #field(segment: string, n: number, raw: string, rule: FieldRule, scope: Hl7FieldScope, fields: readonly string[], ruleId: string): string {
    const { enc } = scope;
    switch (rule.kind) {
      case 'keep':
        return this.#keep(raw, scope, ruleId);
      case 'coded':
        return this.#keep(this.#codedText(raw, scope, ruleId), scope, ruleId);
      case 'location':
        return this.#keep(this.#locationText(raw, scope, ruleId), scope, ruleId);
      case 'specimen':
        return this.#keep(this.#specimenText(raw, scope, ruleId), scope, ruleId);
      case 'remove':
        return '';
      case 'addr':
      case 'date':
      case 'dob':
      case 'mrn':
      case 'acct':
      case 'id':
      case 'eip':
      case 'dr':
      case 'text':
        return this.#reps(raw, rule, scope, ruleId);
      case 'pid':
        return this.#patientIds(raw, scope, segment === 'PID' && (scope.identity.field ?? 'PID-3') !== 'PID-3');
      case 'obx5': {
        const type = firstComponent(fields[2] ?? '', enc).trim().toUpperCase();
        if ((type === 'NM' || type === 'SN' || type === 'ST') && (AGE_LOINC_CODES.has(firstComponent(fields[3] ?? '', enc).trim()) || isLocalAgeCode(fields[3] ?? '', enc))) {
          const aged = this.#reps(raw, AGE, scope, ruleId);
          if (aged !== raw) scope.tally.add('date', `${ruleId}:age90`);
          return aged;
        }
        if (type === 'NM' || type === 'SN') {
          // A value that is not the number (NM) or structured numeric (SN, HL7 v2.8 Ch. 2A) OBX-2
          // says it is: removed, not trusted as a kept code (feeds put text and names there).
          const shaped = this.#numericReps(raw, type, scope);
          if (shaped !== raw) {
            scope.tally.add('other-id', `${ruleId}:misplaced-value`);
            return shaped === '' ? '' : this.#keep(shaped, scope, ruleId);
          }
        }
        if (CODED_TYPES.has(type)) {
          const texted = this.#codedText(raw, scope, ruleId);
          const out = this.#keep(texted, scope, ruleId);
          if (out !== texted) scope.tally.add(HL7_RULE_CATEGORY.keep ?? 'other-id', `${ruleId}:keep`);
          return out;
        }
        const inner = OBX5_RULE.get(type) ?? OBX5_REMOVE;
        const kind = inner.kind === 'id' ? 'mrn' : inner.kind;
        const out = this.#field(segment, n, raw, inner, scope, fields, ruleId);
        if (out !== raw && kind !== 'text') scope.tally.add(HL7_RULE_CATEGORY[kind] ?? 'other-id', `${ruleId}:${kind}`);
        return out;
      }
      default:
        return this.#value(WHOLE_KIND[rule.kind] ?? 'other-id', raw, scope);
    }
  }

  /**
   * A coded entry's free text (a `cwe` field, a CE/CWE/CNE/CF OBX-5) through the text rule
   * (hl7-coded-text.ts): what a person typed, not a code's display. The other components stay
   * (codes; checked for known identifiers by the caller).
   */
  #codedText(raw: string, scope: Hl7FieldScope, ruleId: string): string {
    const { enc } = scope;
    return mayHoldCodedText(raw, 0, raw.length, enc) ? mapCodedText(raw, enc, (value) => this.#text(value, scope, ruleId)) : raw;
  }

  /** A person location's description (PL-9) through the text rule (hl7-location-text.ts); its codes stay. */
  #locationText(raw: string, scope: Hl7FieldScope, ruleId: string): string {
    const { enc } = scope;
    return mayHoldLocationText(raw, 0, raw.length, enc) ? mapLocationText(raw, enc, (value) => this.#text(value, scope, ruleId)) : raw;
  }

  /** A specimen source's free text (SPS-3 and the like) through the text rule (hl7-specimen-source-text.ts); its codes stay. */
  #specimenText(raw: string, scope: Hl7FieldScope, ruleId: string): string {
    const { enc } = scope;
    return mayHoldSpecimenText(raw, 0, raw.length, enc) ? mapSpecimenText(raw, enc, (value) => this.#text(value, scope, ruleId)) : raw;
  }

  /**
   * A field the table keeps (a code, a location, a flag) keeps its value unless a component is
   * exactly one of the message's known identifiers: malformed messages put MRNs and names in
   * the wrong fields, and such a value is removed rather than trusted.
   */
  #keep(raw: string, scope: Hl7FieldScope, ruleId: string): string {
    const method = this.#methods.methodFor('safe');
    if (method.kind !== 'keep') return this.#value('safe', raw, scope);
    if (scope.knownValues.size === 0) return raw;
    const { enc } = scope;
    // One pass over the field where it lies (hl7-known-values.ts); rebuild it only when a subcomponent holds a known identifier.
    if (!scope.knownValues.anyIn(raw, 0, raw.length, enc)) return raw;
    const isKnown = (sub: string): boolean => scope.knownValues.isKnown(sub, enc);
    const out = raw
      .split(enc.repetition)
      .map((rep) => rep.split(enc.component).map((comp) => comp.split(enc.subcomponent).map((sub) => (isKnown(sub) ? '' : sub)).join(enc.subcomponent)).join(enc.component))
      .join(enc.repetition);
    scope.tally.add('other-id', `${ruleId}:known-value`);
    return out;
  }

  /** An NM or SN OBX-5 with each repetition that does not have the type's shape emptied (trailing empty ones dropped). */
  #numericReps(raw: string, type: string, scope: Hl7FieldScope): string {
    const { enc } = scope;
    const test = type === 'NM' ? isNm : (rep: string): boolean => isSn(rep, enc);
    if (!raw.includes(enc.repetition)) return test(raw) ? raw : '';
    const reps = raw.split(enc.repetition).map((r) => (r === '' || test(r) ? r : ''));
    while (reps.length > 0 && reps[reps.length - 1] === '') reps.pop();
    return reps.join(enc.repetition);
  }

  /** Applies a per-repetition rule to each repetition; trailing empty repetitions are dropped. */
  #reps(raw: string, rule: FieldRule | typeof AGE, scope: Hl7FieldScope, ruleId: string): string {
    const { enc } = scope;
    if (!raw.includes(enc.repetition)) return this.#rep(raw, rule, scope, ruleId);
    const reps = raw.split(enc.repetition).map((r) => (r === '' ? r : this.#rep(r, rule, scope, ruleId)));
    while (reps.length > 0 && reps[reps.length - 1] === '') reps.pop();
    return reps.join(enc.repetition);
  }

  /** One repetition (not empty) under a per-repetition rule. */
  #rep(rep: string, rule: FieldRule | typeof AGE, scope: Hl7FieldScope, ruleId: string): string {
    const { enc } = scope;
    switch (rule.kind) {
      case 'addr': {
        const comps = rep.split(enc.component);
        for (let i = 0; i < comps.length; i++) {
          const comp = comps[i] ?? '';
          // XAD-7, the address type (HL7 Table 0190: H, M, BA, BDL, ...), is kept only as a code.
          if (i === 6 && comp !== '' && comp !== '""' && !isAddressType(comp, scope)) {
            scope.tally.add('geographic', 'hl7.address:misplaced-value');
            comps[i] = '';
          } else {
            comps[i] = this.#value(XAD_KINDS[i] ?? 'geographic', comp, scope);
          }
        }
        return trimComponents(comps, enc);
      }
      case 'date':
      case 'dob':
        return this.#date(rep, rule.kind === 'dob', scope);
      case 'mrn':
      case 'acct':
      case 'id':
        return this.#value(rule.kind === 'mrn' ? 'mrn' : rule.kind === 'acct' ? 'account' : 'other-id', firstSubcomponent(rep, enc), scope, 'idKind' in rule ? rule.idKind : 'mrn');
      case 'eip': {
        // EIP (HL7 v2.8 Ch. 2A): placer and filler entity identifiers, each an EI whose first subcomponent is the id.
        const comps = rep.split(enc.component);
        return trimComponents([0, 1].map((i) => this.#value('other-id', comps[i]?.split(enc.subcomponent)[0] ?? '', scope, rule.idKind)), enc);
      }
      case 'dr':
        // DR (date range): both components are dates (a TS inside DR keeps its precision as a subcomponent).
        return trimComponents(rep.split(enc.component).map((c) => this.#date(c, false, scope, enc.subcomponent)), enc);
      case 'text':
        return this.#text(rep, scope, ruleId);
      case 'age':
        return this.#age(rep, scope);
      default:
        return rep;
    }
  }

  /** One value through the profile's method for its kind; escaped in, escaped out. */
  #value(kind: ValueKind, raw: string, scope: Hl7FieldScope, idKind?: string): string {
    if (raw === '' || raw === '""') return raw;
    const method = this.#methods.methodFor(kind);
    if (method.kind === 'keep' && (kind === 'geographic.state' || kind === 'geographic.country') && !plausibleRegion(raw, kind, scope)) {
      scope.tally.add('geographic', 'hl7.address:misplaced-value');
      return '';
    }
    return this.withMethod(method, kind, raw, scope, idKind);
  }

  #text(rep: string, scope: Hl7FieldScope, ruleId: string): string {
    const method = this.#methods.methodFor('text');
    if (method.kind === 'keep') return rep;
    const out = this.#value('text', rep, scope);
    if (method.kind === 'text') {
      const spans = this.#methods.takeTextSpans();
      if (spans.length > 0) {
        const rule = this.#textRule(ruleId);
        for (const span of spans) scope.tally.add(span.category, rule);
      }
    } else if (out !== rep) {
      scope.tally.add('other-id', `${ruleId}:${method.kind}`);
    }
    return out;
  }

  #textRule(ruleId: string): string {
    let rule = this.#textRules.get(ruleId);
    if (rule === undefined) {
      rule = `${ruleId}:text`;
      this.#textRules.set(ruleId, rule);
    }
    return rule;
  }

  /** A date (DT/DTM/TS): the first `separator`-delimited part is the date; the rest (TS precision) is kept. */
  #date(rep: string, birth: boolean, scope: Hl7FieldScope, separator = scope.enc.component): string {
    const { enc } = scope;
    const whole = !rep.includes(separator);
    const comps = whole ? undefined : rep.split(separator);
    const first = comps === undefined ? rep : (comps[0] ?? '');
    if (first === '') return rep;
    const end = hl7DateEnd(first);
    if (end < 0) return ''; // not a date we understand: removed, never passed through
    let value: string;
    if (birth && this.#profile.over89 !== 'keep' && scope.referenceDate !== undefined && isOver89(isoOfHl7Date(first, end), scope.referenceDate)) {
      // 45 CFR §164.514(b)(2)(i)(C): ages over 89 and the dates that reveal them.
      if (this.#profile.over89 === 'remove-birth-date') return '';
      value = aggregatedBirthYear(scope.referenceDate);
    } else {
      const kind: ValueKind = birth ? 'date.birth' : 'date';
      const method = this.#methods.methodFor(kind);
      if (method.kind === 'keep') return rep;
      if (method.kind === 'generalize' && method.to === 'year') {
        // Safe Harbor's year: what the method gives (the ISO date starts with the same four digits), without its parsing.
        value = first.slice(0, 4);
      } else {
        const out = this.#methods.apply(method, isoOfHl7Date(first, end), { kind, patient: scope.patient });
        if (out === undefined) return '';
        // The time and offset are kept under a shift; an offset with no time (`1950-0504`) is no
        // zone but digits of something else, and is dropped.
        const tail = method.kind !== 'dateShift' || (end < first.length && !digitAt(first, end)) ? '' : first.slice(end);
        value = ISO_DATE.test(out) ? isoToHl7Date(out, tail) : encodeHl7Text(out, enc);
      }
    }
    if (comps === undefined) return value;
    // TS component 2 is the degree of precision (HL7 Table 0529: Y L D H M S), a code; TS has no
    // third component. Anything else there (a second date, digits) is removed.
    return isPrecision(comps[1] ?? '') ? trimParts([value, comps[1] ?? ''], separator) : value;
  }

  #age(rep: string, scope: Hl7FieldScope): string {
    const method = this.#methods.methodFor('date.age');
    if (method.kind === 'keep') return rep;
    const n = Number(rep.trim());
    if (!Number.isFinite(n)) return '';
    return method.kind === 'generalize' ? encodeHl7Text(generalizeAge(n), scope.enc) : this.#value('date.age', rep, scope);
  }

  /**
   * PID-3 / MRG-1: the resolved patient's repetition becomes their pseudonym; the others go by type.
   * When the patient is identified by another field, PID-3 starts with their pseudonym (type PI).
   */
  #patientIds(raw: string, scope: Hl7FieldScope, elsewhere = false): string {
    const { enc } = scope;
    // The same raw field under the same delimiters and rule resolves the same: reuse the message's.
    const memo = !elsewhere && scope.pid3?.raw === raw ? scope.pid3 : undefined;
    const resolved = elsewhere ? undefined : memo !== undefined ? memo.resolved : resolvePatient(raw, enc, scope.identity);
    const reps = raw.split(enc.repetition).map((rep, i) => {
      if (rep === '') return '';
      const cx = memo?.reps[i] ?? parseCx(rep, enc);
      const identity = i === resolved?.repetition ? resolved.identity : identityOfCx(cx, scope.identity);
      let value: string;
      if (identity !== undefined) {
        const method = this.#methods.methodFor('mrn.patient');
        if (method.kind === 'keep') return rep;
        // scope.patient is forPatient(memo.resolved.identity) (hl7-deidentifier.ts).
        const patient = memo !== undefined && identity === memo.resolved?.identity && scope.patient !== undefined ? scope.patient : undefined;
        value = method.kind === 'pseudonym' ? encodeHl7Text((patient ?? scope.factory.forPatient(identity)).pseudonym, enc) : this.#value('mrn.patient', rep.split(enc.component)[0] ?? '', scope);
      } else {
        value = this.#value(CX_TYPE_KIND[cx.type] ?? 'mrn', rep.split(enc.component)[0] ?? '', scope, `mrn:${cx.type.toLowerCase() || 'other'}`);
      }
      if (value === '') return '';
      // CX-5 is written back after the pseudonym: only as a code (Table 0203: MR, SS, PI, ...; `HC-HCE` in some feeds).
      const type = CX_TYPE_CODE.test(cx.type) ? encodeHl7Text(cx.type, enc) : '';
      return type === '' ? value : `${value}${enc.component.repeat(4)}${type}`;
    });
    const kept = reps.filter((r) => r !== '');
    const method = this.#methods.methodFor('mrn.patient');
    if (elsewhere && scope.patient !== undefined && method.kind === 'pseudonym') kept.unshift(`${encodeHl7Text(scope.patient.pseudonym, enc)}${enc.component.repeat(4)}PI`);
    return kept.join(enc.repetition);
  }
}

function digitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** TS-2, the degree of precision (Table 0529), or empty. */
function isPrecision(comp: string): boolean {
  return comp === '' || /^\s*[YLDHMS]\s*$/u.test(comp);
}

/** Whether OBX-3 (its identifier or text, CE-1/CE-2) names an age without a LOINC age code (§164.514(b)(2)(i)(C)). */
function isLocalAgeCode(obx3: string, enc: Hl7Encoding): boolean {
  const [code = '', label = ''] = obx3.split(enc.component);
  return namesAnAge(`${code} ${label}`);
}

/** Component 1 of a field (`split(component)[0]` without the array). */
function firstComponent(field: string, enc: Hl7Encoding): string {
  const c = field.indexOf(enc.component);
  return c < 0 ? field : field.slice(0, c);
}

/** Component 1, subcomponent 1 of a repetition (an id's value). */
function firstSubcomponent(rep: string, enc: Hl7Encoding): string {
  const c = rep.indexOf(enc.component);
  const comp = c < 0 ? rep : rep.slice(0, c);
  const s = comp.indexOf(enc.subcomponent);
  return s < 0 ? comp : comp.slice(0, s);
}

function trimComponents(comps: string[], enc: Hl7Encoding): string {
  return trimParts(comps, enc.component);
}

function trimParts(parts: string[], separator: string): string {
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(separator);
}

/**
 * A state or country kept by Safe Harbor must look like one: letters only (a code or a name),
 * and not one of the message's known identifiers. Real feeds put cities, ZIPs and names in these
 * components; such values are removed.
 */
function plausibleRegion(raw: string, kind: ValueKind, scope: Hl7FieldScope): boolean {
  const text = decodeHl7Text(raw, scope.enc).text.trim();
  if (!/^[\p{L} .'-]{1,60}$/u.test(text) || scope.knownValues.isKnown(raw, scope.enc)) return false;
  // Letters alone could be a city or a name in the wrong component: only codes and listed names (hl7-region.ts).
  return kind === 'geographic.state' ? plausibleState(text) : plausibleCountry(text);
}

/** XAD-7 as a code: one to four letters (Table 0190 codes; `HOME` in some feeds), not a known identifier. */
function isAddressType(raw: string, scope: Hl7FieldScope): boolean {
  if (raw.length > 4) return /^\s*[A-Za-z]{1,4}\s*$/u.test(raw) && !scope.knownValues.isKnown(raw, scope.enc);
  for (let i = 0; i < raw.length; i++) if (((raw.charCodeAt(i) | 32) < 97 || (raw.charCodeAt(i) | 32) > 122)) return /^\s*[A-Za-z]{1,4}\s*$/u.test(raw) && !scope.knownValues.isKnown(raw, scope.enc);
  // Letters only (nearly every one: H, M, BA, HOME): known values are two or more characters long.
  return raw.length < 2 || !scope.knownValues.isKnown(raw, scope.enc);
}

/** NM (HL7 v2.8 Ch. 2A §2A.2.45): an optional sign, digits, an optional decimal point; white space around. */
function isNm(rep: string): boolean {
  return /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/u.test(rep);
}

/** SN (§2A.2.71): comparator ^ number ^ separator/suffix ^ number, each part optional; no subcomponents. */
function isSn(rep: string, enc: Hl7Encoding): boolean {
  if (rep.includes(enc.subcomponent) || rep.includes(enc.escape)) return false;
  const [comparator = '', n1 = '', separator = '', n2 = '', ...rest] = rep.split(enc.component);
  return rest.length === 0 && /^\s*(?:[<>]=?|=|<>)?\s*$/u.test(comparator) && (n1 === '' || isNm(n1)) && /^\s*[-+/.:]?\s*$/u.test(separator) && (n2 === '' || isNm(n2));
}
