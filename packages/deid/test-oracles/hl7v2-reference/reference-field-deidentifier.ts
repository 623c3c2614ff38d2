import type { PatientContext, PatientContextFactory } from '../../src/context/patient-context.ts';
import type { SafeHarborCategory } from '../../src/safe-harbor/categories.ts';
import { aggregatedBirthYear, generalizeAge, isOver89 } from '../../src/safe-harbor/age.ts';
import type { DeidMethod, DeidProfile, ValueKind } from '../../src/profiles/deid-profile.ts';
import type { MethodApplier } from '../../src/profiles/method-applier.ts';
import type { KnownIdentifiers } from '../../src/text/text-deidentifier.ts';
import type { DeidTally } from '../../src/manifest/deid-tally.ts';
import type { Hl7Encoding } from '../../src/hl7v2/hl7-encoding.ts';
import { decodeHl7Text, encodeHl7Text } from '../../src/hl7v2/hl7-escape.ts';
import { hl7DateToIso, isoToHl7Date } from '../../src/hl7v2/hl7-date.ts';
import { identityOfCx, parseCx, resolvePatient, type Hl7IdentityRule } from '../../src/hl7v2/hl7-identity.ts';
import type { FieldRule } from '../../src/hl7v2/hl7-safe-harbor-table.ts';
import { COUNTRY_NAMES, STATE_NAMES } from '../../src/hl7v2/hl7-region.ts';
import type { ReferenceKnownValues } from './reference-known-values.ts';

/** What one message's fields are de-identified with. */
export interface Hl7FieldScope {
  readonly enc: Hl7Encoding;
  readonly patient: PatientContext | undefined;
  readonly factory: PatientContextFactory;
  readonly identity: Hl7IdentityRule;
  readonly known: KnownIdentifiers;
  /** The same values (and their digit forms), to catch an identifier sitting in a field the table keeps. */
  readonly knownValues: ReferenceKnownValues;
  /** ISO date for the over-89 rule (the message time). */
  readonly referenceDate: string | undefined;
  readonly tally: DeidTally;
}

const CATEGORY: Readonly<Record<string, SafeHarborCategory>> = {
  name: 'name', prov: 'name', org: 'name', addr: 'geographic', county: 'geographic', place: 'geographic', phone: 'phone',
  date: 'date', dr: 'date', dob: 'date', pid: 'mrn', mrn: 'mrn', ssn: 'ssn', lic: 'license', plan: 'health-plan', dev: 'device',
  acct: 'account', id: 'other-id', eip: 'other-id', remove: 'other-id', keep: 'other-id', coded: 'other-id', location: 'other-id', specimen: 'other-id', text: 'other-id', obx5: 'other-id',
};
const WHOLE_KIND: Readonly<Record<string, ValueKind>> = {
  name: 'name', prov: 'name.provider', org: 'name.organization', county: 'geographic.county', place: 'geographic.birthplace',
  phone: 'phone', ssn: 'ssn', lic: 'license', plan: 'health-plan', dev: 'device', keep: 'safe',
};
const XAD_KINDS: readonly ValueKind[] = ['geographic.street', 'geographic.street', 'geographic.city', 'geographic.state', 'geographic.zip', 'geographic.country', 'safe', 'geographic', 'geographic.county', 'geographic'];
const CX_TYPE_KIND: Readonly<Record<string, ValueKind>> = { SS: 'ssn', SSN: 'ssn', DL: 'license', PPN: 'license', MA: 'health-plan', MC: 'health-plan', MB: 'health-plan', SN: 'health-plan' };
// OBX-2 value types (HL7 v2.8 Table 0125) and how their OBX-5 is treated.
const OBX5: Readonly<Record<string, FieldRule['kind']>> = {
  TX: 'text', FT: 'text', ST: 'text', DT: 'date', DTM: 'date', TS: 'date', XPN: 'name', XCN: 'prov', XON: 'org', XAD: 'addr', XTN: 'phone', CX: 'mrn', EI: 'mrn',
  NM: 'keep', SN: 'keep', CE: 'keep', CWE: 'keep', CNE: 'keep', CF: 'keep', ID: 'keep', IS: 'keep', TM: 'keep', NR: 'keep', MO: 'keep', CP: 'keep', NA: 'keep', MA: 'keep', CQ: 'keep',
};
/** OBX-2 types whose OBX-5 is a coded entry (HL7 v2.8 Ch. 2A CE, CWE, CNE, CF). */
const CODED_TYPES: ReadonlySet<string> = new Set(['CE', 'CWE', 'CNE', 'CF']);
/**
 * Components of a coded entry that are text (0-based): the text (2) and alternate text (5), free
 * text when the identifier before each is empty (`^Lives with mother Mary Jones^L`), and CWE/CNE
 * original text (9), free text by definition.
 */
const CODED_TEXT: readonly number[] = [1, 4, 8];
// LOINC codes whose OBX-5 is an age: 30525-0 Age, 21612-7 Age Time Patient Reported, 29553-5 Age calculated.
const AGE_CODES = new Set(['30525-0', '21612-7', '29553-5']);
const STATES = new Set(STATE_NAMES.map((s) => s.toLowerCase()));
const COUNTRIES = new Set(COUNTRY_NAMES.map((s) => s.toLowerCase()));

/**
 * De-identifies the fields of one segment in place, following the Safe Harbor table and the
 * profile: `fields[n]` is field n (escaped). Counts every change in the scope's tally.
 */
export class Hl7FieldDeidentifier {
  readonly #methods: MethodApplier;
  readonly #profile: DeidProfile;
  readonly #ruleIds = new Map<string, string[]>();

  constructor(methods: MethodApplier) {
    this.#methods = methods;
    this.#profile = methods.profile.profile;
  }

  /** Applies `rule` to a field value; returns the new escaped value ('' when removed). */
  field(segment: string, n: number, raw: string, rule: FieldRule, scope: Hl7FieldScope, fields: readonly string[]): string {
    if (raw === '' || raw === '""') return raw;
    const ruleId = this.#ruleId(segment, n);
    const out = this.#field(segment, n, raw, rule, scope, fields, ruleId);
    if (out !== raw && rule.kind !== 'text' && rule.kind !== 'obx5' && rule.kind !== 'coded' && rule.kind !== 'location' && rule.kind !== 'specimen') scope.tally.add(CATEGORY[rule.kind] ?? 'other-id', `${ruleId}:${rule.kind}`);
    return out;
  }

  /** `hl7.PID-5`, built once per segment id and field number (fields past 256 are built each time). */
  #ruleId(segment: string, n: number): string {
    if (n > 256) return `hl7.${segment}-${String(n)}`;
    let ids = this.#ruleIds.get(segment);
    if (ids === undefined) {
      ids = [];
      this.#ruleIds.set(segment, ids);
    }
    return (ids[n] ??= `hl7.${segment}-${String(n)}`);
  }

  /** Applies a given method (a path-specific profile rule) to a whole field; escaped in, escaped out. */
  withMethod(method: DeidMethod, kind: ValueKind, raw: string, scope: Hl7FieldScope, idKind?: string): string {
    if (method.kind === 'keep') return raw;
    if (method.kind === 'redact') return '';
    const { text, opaque } = decodeHl7Text(raw, scope.enc);
    const out = this.#methods.apply(method, text, { kind, patient: scope.patient, known: scope.known, ...(idKind === undefined ? {} : { idKind }) });
    return out === undefined ? '' : encodeHl7Text(out, scope.enc, opaque);
  }

  #field(segment: string, n: number, raw: string, rule: FieldRule, scope: Hl7FieldScope, fields: readonly string[], ruleId: string): string {
    const { enc } = scope;
    switch (rule.kind) {
      case 'keep':
        return this.#keep(raw, scope, ruleId);
      case 'coded':
        return this.#keep(this.#codedText(raw, scope, ruleId), scope, ruleId);
      case 'location': {
        // PL-9, the location description (0-based 8), is free text; the other components are codes.
        const reps = raw.split(scope.enc.repetition).map((rep) => {
          const comps = rep.split(scope.enc.component);
          const value = comps[8];
          if (value !== undefined && value !== '' && value !== '""') comps[8] = this.#text(value, scope, ruleId);
          return comps.join(scope.enc.component);
        });
        return this.#keep(reps.join(scope.enc.repetition), scope, ruleId);
      }
      case 'specimen': {
        // SPS-3 (0-based 2), the collection method, is free text, and so is SPS-2 without
        // subcomponents (TX before v2.5); the other components are coded entries whose parts are subcomponents.
        const reps = raw.split(enc.repetition).map((rep) =>
          rep
            .split(enc.component)
            .map((comp, i) => {
              if (comp === '' || comp === '""') return comp;
              if (i === 2 || (i === 1 && !comp.includes(enc.subcomponent))) return this.#text(comp, scope, ruleId);
              if (!comp.includes(enc.subcomponent)) return comp;
              return this.#codedParts(comp.split(enc.subcomponent), scope, ruleId).join(enc.subcomponent);
            })
            .join(enc.component),
        );
        return this.#keep(reps.join(enc.repetition), scope, ruleId);
      }
      case 'remove':
        return '';
      case 'addr':
        return this.#reps(raw, enc, (rep) =>
          trimComponents(
            rep.split(enc.component).map((c, i) => {
              // XAD-7, the address type (Table 0190), only as a code of one to four letters that is no known identifier.
              if (i === 6 && c !== '' && c !== '""' && !(/^\s*[A-Za-z]{1,4}\s*$/u.test(c) && !scope.knownValues.isKnown(c, enc))) {
                scope.tally.add('geographic', 'hl7.address:misplaced-value');
                return '';
              }
              return this.#value(XAD_KINDS[i] ?? 'geographic', c, scope);
            }),
            enc,
          ),
        );
      case 'date':
      case 'dob':
        return this.#reps(raw, enc, (rep) => this.#date(rep, rule.kind === 'dob', scope));
      case 'pid':
        return this.#patientIds(raw, scope, segment === 'PID' && (scope.identity.field ?? 'PID-3') !== 'PID-3');
      case 'mrn':
      case 'acct':
      case 'id': {
        const kind: ValueKind = rule.kind === 'mrn' ? 'mrn' : rule.kind === 'acct' ? 'account' : 'other-id';
        const idKind = 'idKind' in rule ? rule.idKind : 'mrn';
        return this.#reps(raw, enc, (rep) => this.#value(kind, rep.split(enc.component)[0]?.split(enc.subcomponent)[0] ?? '', scope, idKind));
      }
      case 'eip':
        // EIP (HL7 v2.8 Ch. 2A): placer and filler entity identifiers, each an EI whose first subcomponent is the id.
        return this.#reps(raw, enc, (rep) => {
          const comps = rep.split(enc.component);
          return trimComponents([0, 1].map((i) => this.#value('other-id', comps[i]?.split(enc.subcomponent)[0] ?? '', scope, rule.idKind)), enc);
        });
      case 'dr':
        // DR (date range): both components are dates (a TS inside DR keeps its precision as a subcomponent).
        return this.#reps(raw, enc, (rep) => trimComponents(rep.split(enc.component).map((c) => this.#date(c, false, scope, enc.subcomponent)), enc));
      case 'text':
        return this.#reps(raw, enc, (rep) => this.#text(rep, scope, ruleId));
      case 'obx5': {
        const type = (fields[2] ?? '').split(enc.component)[0]?.trim().toUpperCase() ?? '';
        const [code = '', label = ''] = (fields[3] ?? '').split(enc.component);
        if ((type === 'NM' || type === 'SN' || type === 'ST') && (AGE_CODES.has(code.trim()) || namesAge(code, label))) {
          const aged = this.#reps(raw, enc, (rep) => this.#age(rep, scope));
          if (aged !== raw) scope.tally.add('date', `${ruleId}:age90`);
          return aged;
        }
        if (type === 'NM' || type === 'SN') {
          // The value must have the shape OBX-2 gives (HL7 v2.8 Ch. 2A NM, SN); other repetitions are emptied.
          const shaped = this.#reps(raw, enc, (rep) => ((type === 'NM' ? isNumber(rep) : isStructuredNumeric(rep, enc)) ? rep : ''));
          if (shaped !== raw) {
            scope.tally.add('other-id', `${ruleId}:misplaced-value`);
            return shaped === '' ? '' : this.#keep(shaped, scope, ruleId);
          }
        }
        if (CODED_TYPES.has(type)) {
          const texted = this.#codedText(raw, scope, ruleId);
          const out = this.#keep(texted, scope, ruleId);
          if (out !== texted) scope.tally.add(CATEGORY.keep ?? 'other-id', `${ruleId}:keep`);
          return out;
        }
        const kind = OBX5[type] ?? 'remove';
        const inner: FieldRule = kind === 'mrn' ? { kind: 'id', idKind: 'observation-value' } : ({ kind } as FieldRule);
        const out = this.#field(segment, n, raw, inner, scope, fields, ruleId);
        if (out !== raw && kind !== 'text') scope.tally.add(CATEGORY[kind] ?? 'other-id', `${ruleId}:${kind}`);
        return out;
      }
      default:
        return this.#value(WHOLE_KIND[rule.kind] ?? 'other-id', raw, scope);
    }
  }

  /**
   * A coded entry's free text (a `cwe` field, a CE/CWE/CNE/CF OBX-5) through the text rule ({@link CODED_TEXT}): a text with no
   * code beside it, and CWE/CNE original text, are what a person typed, not a code's display. The
   * other components stay (codes; checked for known identifiers by the caller).
   */
  #codedText(raw: string, scope: Hl7FieldScope, ruleId: string): string {
    const { enc } = scope;
    if (!raw.includes(enc.component)) return raw;
    return raw
      .split(enc.repetition)
      .map((rep) => {
        if (!rep.includes(enc.component)) return rep;
        return this.#codedParts(rep.split(enc.component), scope, ruleId).join(enc.component);
      })
      .join(enc.repetition);
  }

  /** The parts of one coded entry (components, or subcomponents in SPS) with its free text ({@link CODED_TEXT}) through the text rule. */
  #codedParts(parts: string[], scope: Hl7FieldScope, ruleId: string): string[] {
    for (const i of CODED_TEXT) {
      const value = parts[i];
      if (value === undefined || value === '' || value === '""') continue;
      if (i !== 8 && (parts[i - 1] ?? '').trim() !== '') continue;
      parts[i] = this.#text(value, scope, ruleId);
    }
    return parts;
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
    // Fast scan of every subcomponent; rebuild the field only when one is a known identifier.
    const isKnown = (sub: string): boolean => scope.knownValues.isKnown(sub, enc);
    if (!splitAll(raw, enc).some(isKnown)) return raw;
    const out = raw
      .split(enc.repetition)
      .map((rep) => rep.split(enc.component).map((comp) => comp.split(enc.subcomponent).map((sub) => (isKnown(sub) ? '' : sub)).join(enc.subcomponent)).join(enc.component))
      .join(enc.repetition);
    scope.tally.add('other-id', `${ruleId}:known-value`);
    return out;
  }

  #reps(raw: string, enc: Hl7Encoding, f: (rep: string) => string): string {
    const reps = raw.split(enc.repetition).map((r) => (r === '' ? r : f(r)));
    while (reps.length > 0 && reps[reps.length - 1] === '') reps.pop();
    return reps.join(enc.repetition);
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
      for (const span of this.#methods.takeTextSpans()) scope.tally.add(span.category, `${ruleId}:text`);
    } else if (out !== rep) {
      scope.tally.add('other-id', `${ruleId}:${method.kind}`);
    }
    return out;
  }

  /** A date (DT/DTM/TS): the first `separator`-delimited part is the date; the rest (TS precision) is kept. */
  #date(rep: string, birth: boolean, scope: Hl7FieldScope, separator = scope.enc.component): string {
    const { enc } = scope;
    const comps = rep.split(separator);
    const first = comps[0] ?? '';
    const parsed = hl7DateToIso(first);
    if (first === '') return rep;
    if (parsed === undefined) return ''; // not a date we understand: removed, never passed through
    let value: string;
    if (birth && this.#profile.over89 !== 'keep' && scope.referenceDate !== undefined && isOver89(parsed.iso, scope.referenceDate)) {
      // 45 CFR §164.514(b)(2)(i)(C): ages over 89 and the dates that reveal them.
      if (this.#profile.over89 === 'remove-birth-date') return '';
      value = aggregatedBirthYear(scope.referenceDate);
    } else {
      const kind: ValueKind = birth ? 'date.birth' : 'date';
      const method = this.#methods.methodFor(kind);
      if (method.kind === 'keep') return rep;
      const out = this.#methods.apply(method, parsed.iso, { kind, patient: scope.patient });
      if (out === undefined) return '';
      // The time and offset are kept under a shift, but an offset with no time before it is dropped.
      const tail = method.kind === 'dateShift' && !/^[^0-9]/u.test(parsed.tail) ? parsed.tail : '';
      value = /^\d{4}(?:-\d{2}(?:-\d{2})?)?$/.test(out) ? isoToHl7Date(out, tail) : encodeHl7Text(out, enc);
    }
    // TS component 2 is the degree of precision (Table 0529: Y L D H M S); nothing else is kept.
    const precision = comps[1] ?? '';
    return /^(?:\s*[YLDHMS]\s*)?$/u.test(precision) ? trimParts([value, precision], separator) : value;
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
    const resolved = elsewhere ? undefined : resolvePatient(raw, enc, scope.identity);
    const reps = raw.split(enc.repetition).map((rep, i) => {
      if (rep === '') return '';
      const cx = parseCx(rep, enc);
      const identity = i === resolved?.repetition ? resolved.identity : identityOfCx(cx, scope.identity);
      let value: string;
      if (identity !== undefined) {
        const method = this.#methods.methodFor('mrn.patient');
        if (method.kind === 'keep') return rep;
        value = method.kind === 'pseudonym' ? encodeHl7Text(scope.factory.forPatient(identity).pseudonym, enc) : this.#value('mrn.patient', rep.split(enc.component)[0] ?? '', scope);
      } else {
        value = this.#value(CX_TYPE_KIND[cx.type] ?? 'mrn', rep.split(enc.component)[0] ?? '', scope, `mrn:${cx.type.toLowerCase() || 'other'}`);
      }
      if (value === '') return '';
      // CX-5 only as a code: letters, digits, - _ . (up to ten characters).
      const type = /^[A-Z0-9][A-Z0-9_.-]{0,9}$/u.test(cx.type) ? encodeHl7Text(cx.type, enc) : '';
      return type === '' ? value : `${value}${enc.component.repeat(4)}${type}`;
    });
    const kept = reps.filter((r) => r !== '');
    const method = this.#methods.methodFor('mrn.patient');
    if (elsewhere && scope.patient !== undefined && method.kind === 'pseudonym') kept.unshift(`${encodeHl7Text(scope.patient.pseudonym, enc)}${enc.component.repeat(4)}PI`);
    return kept.join(enc.repetition);
  }
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
  // A two- or three-letter code, or a listed state, province or country name.
  const name = text.replace(/\s+/gu, ' ').toLowerCase();
  return /^[A-Za-z]{2,3}$/u.test(text) || (kind === 'geographic.state' ? STATES : COUNTRIES).has(name);
}

/** Whether OBX-3's code or text has the word "age" (not a gestational age). */
function namesAge(code: string, label: string): boolean {
  const age = /(?<![\p{L}\p{N}])age(?![\p{L}\p{N}])/iu;
  return (age.test(code) || age.test(label)) && !/gest/iu.test(code) && !/gest/iu.test(label);
}

/** NM: an optional sign, digits with an optional decimal point, white space around. */
function isNumber(s: string): boolean {
  return /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/u.test(s);
}

/** SN: comparator ^ number ^ separator/suffix ^ number, each optional; no subcomponents or escapes. */
function isStructuredNumeric(rep: string, enc: Hl7Encoding): boolean {
  if (rep.includes(enc.subcomponent) || rep.includes(enc.escape)) return false;
  const parts = rep.split(enc.component);
  if (parts.length > 4) return false;
  const [comparator = '', n1 = '', separator = '', n2 = ''] = parts;
  return /^\s*(?:[<>]=?|=|<>)?\s*$/u.test(comparator) && (n1 === '' || isNumber(n1)) && /^\s*[-+/.:]?\s*$/u.test(separator) && (n2 === '' || isNumber(n2));
}

/** Every subcomponent of a field, in one pass (split on repetition, component and subcomponent). */
function splitAll(raw: string, enc: Hl7Encoding): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    if (ch === enc.repetition || ch === enc.component || ch === enc.subcomponent) {
      out.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  out.push(raw.slice(start));
  return out;
}
