import { isBaseError, type Place } from '@phiguard/core';
import type { DeidKey, PatientContextFactory } from '../context/patient-context.ts';
import { DeidTally } from '../manifest/deid-tally.ts';
import type { DeidMethod, LoadedProfile } from '../profiles/deid-profile.ts';
import type { LinkageTokenizer } from '../profiles/linkage-tokenizer.ts';
import { MethodApplier } from '../profiles/method-applier.ts';
import { AGE_CAP, generalizeAge } from '../safe-harbor/age.ts';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';
import { HHS_RESTRICTED_ZIP3_2000 } from '../safe-harbor/zip3.ts';
import type { KnownIdentifiers, TextDeidentifier } from '../text/text-deidentifier.ts';
import { encodeTextBytes } from '../text/text-bytes.ts';
import { decodeAttachment } from './attachment-text.ts';
import { type ElementNode, type JsonObject, isJsonObject } from './element-tree.ts';
import { categoryOf, contactKind, fhirRuleId, identifierKind, operationOf } from './fhir-categories.ts';
import { FhirPatientIndex, type FhirPatientEntry } from './fhir-patient-index.ts';
import { CODE_DISPLAY_KIND, CODED_KIND, DICOM_UID_KIND, OBSERVED_AGE_KIND, SAMPLED_DATA_KIND, URI_VALUE_KIND, fhirRulesForProfile } from './fhir-profile-rules.ts';
import { ageInYearsOf, ageInYearsOfText, ageQuantityRole, isAgeObservationValue } from './observation-age.ts';
import { dataUriKind } from './fhir-uri-values.ts';
import { createUidRemapper } from '../dicom/deid/uid-remapper.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import type { FhirPathRule } from './fhir-rule.ts';
import { type AnonymizeHooks, FhirRuleAnonymizer, type ResourceEnvironment, restoreResource } from './fhir-rule-anonymizer.ts';
import type { FhirRuleConfig } from './msft-config.ts';
import { ReferenceMemo, ReferencePseudonyms, oidOfPseudonym, uuidOfPseudonym } from './reference-pseudonyms.ts';
import { scanResource } from './scan-resource.ts';
import { LongTextMemo } from './long-text-memo.ts';
import type { FhirMethodHooks } from './rule-methods.ts';
import { indicatesAgeOver89, parseFhirDate } from './fhir-dates.ts';
import { FHIR_NUMBER_TYPES } from './fhir-model.ts';

/** A record-level problem (never a value): what and where. */
export interface FhirProblem {
  readonly code: string;
  readonly message: string;
  readonly place: Place;
}

export interface FhirDeidResult {
  readonly resource: JsonObject;
  readonly tally: DeidTally;
  readonly problems: readonly FhirProblem[];
}

/** Our profiles (safe-harbor, date-shift, limited-data-set, custom), or a Microsoft configuration. */
export type FhirDeidMode =
  | { readonly kind: 'profile'; readonly profile: LoadedProfile; readonly key: DeidKey }
  | { readonly kind: 'msft'; readonly config: FhirRuleConfig };

export interface FhirDeidentifierOptions {
  readonly factory: PatientContextFactory;
  readonly text: TextDeidentifier;
  /** Identifier systems that identify a patient across formats, most trusted first (e.g. the MRN system). */
  readonly patientIdentifierSystems?: readonly string[];
  /** Share one index across files (bulk export: Patient files first). */
  readonly index?: FhirPatientIndex;
  readonly now?: () => Date;
  /** Evaluate every rule with the `fhirpath` package instead of the type-driven fast path (benchmarks). */
  readonly fhirPathOnly?: boolean;
  /** Run rules on the element tree even where a compiled plan applies (equivalence tests). */
  readonly treeEngine?: boolean;
  /** The linkage vault, for profiles that use the `encrypt` method (tokens instead of values). */
  readonly tokenizer?: LinkageTokenizer;
}

// `securityContext`: a Binary's link to its patient (R4 Binary), whose note then meets the patient's known identifiers.
// `actor`: AppointmentResponse. An element may repeat (Account.subject is 0..*).
const PATIENT_REFERENCE_ELEMENTS = ['patient', 'subject', 'beneficiary', 'individual', 'who', 'securityContext', 'actor'] as const;
const V3_OBSERVATION_VALUE = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';
const REQUIRED_INSTANT_OWNERS = new Set(['Provenance', 'AuditEvent']);
const UCUM = 'http://unitsofmeasure.org';
/** R4 SampledData.data: decimals or E (error), L (below detection limit), U (above), one space apart. */
const SAMPLED_DATA = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[ELU])(?: (?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[ELU]))*$/;

/** Texts longer than this are memoized in {@link LongTextMemo} (20,000 short entries then stay under ~10 MB per patient). */
const MEMO_MAX_CHARS = 256;
/** Characters of long texts and their results kept for a run (about 16 MB). */
const LONG_MEMO_CHARS = 8_000_000;

/** A fallible plan failed on a record: it is redone on the element tree (never leaves this file). */
class PlanAborted extends Error {}

/** A birth date: `birthDate` (Patient, RelatedPerson, Person, Practitioner) or a relative's FamilyMemberHistory.born[x] (bornDate, bornPeriod). */
function isBirthDate(node: ElementNode): boolean {
  return node.name === 'birthDate' || node.name === 'born' || node.parent?.name === 'born';
}

/** Whether a free-text birth (`1905`, `born 3/4/1905`, `about 1930`) names a year more than 89 years before `now`. */
function textShowsAgeOver89(text: string, now: Date): boolean {
  for (const m of text.matchAll(/(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)/g)) if (now.getUTCFullYear() - Number(m[1]) > 89) return true;
  return false;
}

/** True for the node keyed `id`: the resource's own id (a child of the root, not in an array). */
function isOwnId(node: ElementNode): boolean {
  return node.name === 'id' && node.index === undefined && node.parent !== undefined && node.parent.parent === undefined;
}

/** Whether a Coding has a code (R4 §2.24.0.3 Coding.code: a display alone is a person's text). */
function hasCode(coding: JsonObject): boolean {
  const code = coding.code;
  return typeof code === 'string' && code.trim() !== '';
}

/** A reference that may be to a Patient (`Patient/…`, or `urn:uuid:` resolved later), in `value` or the first of its items that is one. */
function patientReferenceIn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const ref = patientReferenceIn(item);
      if (ref !== undefined) return ref;
    }
    return undefined;
  }
  if (isJsonObject(value) && typeof value.reference === 'string' && (/(^|\/)Patient\//.test(value.reference) || value.reference.startsWith('urn:uuid:'))) return value.reference;
  return undefined;
}

/** The resource's patient (R4 Patient compartment): a top-level element, or an Appointment's participating actor. */
function patientReference(resource: JsonObject): string | undefined {
  for (const name of PATIENT_REFERENCE_ELEMENTS) {
    const ref = patientReferenceIn(resource[name]);
    if (ref !== undefined) return ref;
  }
  if (Array.isArray(resource.participant)) {
    for (const participant of resource.participant) {
      const ref = isJsonObject(participant) ? patientReferenceIn(participant.actor) : undefined;
      if (ref !== undefined) return ref;
    }
  }
  return undefined;
}

/**
 * De-identifies FHIR R4 resources and Bundles (docs/deid/fhir.md): FHIRPath rules from a profile
 * or a Microsoft configuration, patient identity through the shared {@link PatientContextFactory},
 * references rewritten consistently, free text through the {@link TextDeidentifier} port.
 * Pure: the caller reads and writes files.
 */
export class FhirDeidentifier {
  readonly index: FhirPatientIndex;
  readonly #mode: FhirDeidMode;
  readonly #anonymizer: FhirRuleAnonymizer;
  readonly #applier: MethodApplier | undefined;
  /** DICOM UIDs as the DICOM de-identifier replaces them (profiles only). */
  readonly #dicomUid: ((uid: string) => string) | undefined;
  readonly #options: FhirDeidentifierOptions;
  /** Pseudonyms, patient look-ups and rewritten references of this run (reference-pseudonyms.ts). */
  readonly #refMemo = new ReferenceMemo();
  /** Holds no per-resource state (its memo is the run's): made once. */
  #refs: ReferencePseudonyms | undefined;
  readonly #ruleIds = new WeakMap<FhirPathRule, string>();
  readonly #textCache = new WeakMap<object, Map<string, string>>();
  readonly #datesKnown = new Map<string, KnownIdentifiers>();
  readonly #longTexts = new LongTextMemo(LONG_MEMO_CHARS);
  /** Finds the patient's known identifiers only (no patterns, no NER): for texts that are kept otherwise. */
  readonly #knownOnly = new KnownIdentifiersTextDeidentifier();
  /** Per known-identifier set: code displays already checked → whether they hold one. */
  readonly #displayChecks = new WeakMap<KnownIdentifiers, Map<string, boolean>>();

  constructor(mode: FhirDeidMode, options: FhirDeidentifierOptions) {
    this.#mode = mode;
    this.#options = options;
    this.index = options.index ?? new FhirPatientIndex(options.factory, options.patientIdentifierSystems ?? []);
    if (mode.kind === 'profile') {
      const p = mode.profile.profile;
      this.#applier = new MethodApplier(mode.profile, mode.key, { text: options.text, ...(options.tokenizer === undefined ? {} : { tokenizer: options.tokenizer }) });
      this.#dicomUid = createUidRemapper(mode.key);
      this.#anonymizer = new FhirRuleAnonymizer({
        rules: fhirRulesForProfile(p),
        parameters: {
          dateShiftKey: '', cryptoHashKey: '', encryptKey: '',
          enablePartialAgesForRedact: true, enablePartialDatesForRedact: true, enablePartialZipCodesForRedact: true,
          restrictedZipCodeTabulationAreas: p.restrictedZip3 ?? HHS_RESTRICTED_ZIP3_2000,
          dateShiftSource: 'patient',
        },
        labels: 'phiguard',
        dropUnknownElements: p.unknown === 'remove',
        fhirPathOnly: options.fhirPathOnly === true,
        treeEngine: options.treeEngine === true,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    } else {
      this.#applier = undefined;
      this.#dicomUid = undefined;
      this.#anonymizer = new FhirRuleAnonymizer({
        rules: mode.config.rules, parameters: mode.config.parameters, labels: 'msft', dropUnknownElements: false, fhirPathOnly: options.fhirPathOnly === true, treeEngine: options.treeEngine === true,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    }
  }

  /** True when the rules run as a compiled plan (docs/deid/fhir.md "Compiled plans"). */
  get compiled(): boolean {
    return this.#anonymizer.compiled;
  }

  /** First pass: registers the Patient resources of a resource or Bundle; returns how many. */
  registerPatients(resource: JsonObject): number {
    if (resource.resourceType === 'Patient') return this.index.register(resource) === undefined ? 0 : 1;
    let n = 0;
    if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
      for (const e of resource.entry) {
        if (!isJsonObject(e) || !isJsonObject(e.resource)) continue;
        if (e.resource.resourceType === 'Patient' && this.index.register(e.resource, typeof e.fullUrl === 'string' ? e.fullUrl : undefined) !== undefined) n++;
        else if (e.resource.resourceType === 'Bundle') n += this.registerPatients(e.resource);
      }
    }
    return n;
  }

  /**
   * De-identifies one resource (a Bundle with its entries); the input object is changed and
   * returned. `tally`: counts are added to it (e.g. a whole NDJSON file's), else to a new one.
   */
  deidentify(resource: JsonObject, tally: DeidTally = new DeidTally()): FhirDeidResult {
    if (!this.#anonymizer.fallible) return this.#deidentify(resource, tally, 'plan');
    // A fallible plan (generalize rules): any error and the whole record is redone on the element
    // tree from the untouched input, with fresh counts and problems (compiled-plan.ts `fallible`).
    const input = structuredClone(resource);
    try {
      return this.#deidentify(resource, tally, 'plan');
    } catch (e) {
      if (!(e instanceof PlanAborted)) throw e;
      restoreResource(resource, input);
      return this.#deidentify(resource, tally, 'tree');
    }
  }

  #deidentify(resource: JsonObject, tally: DeidTally, engine: 'plan' | 'tree'): FhirDeidResult {
    this.registerPatients(resource);
    const counts = new Map<FhirPathRule, Map<SafeHarborCategory, number>>();
    let extensionsRemoved = 0;
    const problems: FhirProblem[] = [];
    const refs = (this.#refs ??= new ReferencePseudonyms(this.index, this.#refMemo));
    const profile = this.#mode.kind === 'profile' ? this.#mode.profile.profile : undefined;
    let containerEnv: ResourceEnvironment | undefined;
    let entryOfResource: FhirPatientEntry | undefined;
    let known: KnownIdentifiers | undefined;
    let knownDates: KnownIdentifiers | undefined;
    let contained = false;
    let scanned: JsonObject | undefined;
    let scannedDates: readonly string[] = [];
    let resourceType = '';
    const hooks: FhirMethodHooks = {
      // The resource's own id (key `id`), without building the node's key (hot path).
      pseudonymize: (node, value) => (isOwnId(node) ? refs.resourceId(resourceType, value, contained) : refs.reference(value)),
      text: (node, value) => this.#text(node, value, entryOfResource, known, knownDates),
      kind: (node, value, kind, method) => this.#kind(node, value, kind, method, entryOfResource, known),
    };
    let malformed = 0;
    const anonymizeHooks: AnonymizeHooks = {
      malformed: ({ path, expected }) => {
        malformed++;
        problems.push({ code: 'malformed-element-removed', message: `an element whose JSON is not what R4 defines was removed (expected ${expected})`, place: { path } });
      },
      prepare: (res) => {
        if (profile?.unknown !== 'remove') return;
        // One walk removes unknown extensions and collects the dates `environment` needs.
        const removed = scanResource(res, true);
        scanned = res;
        scannedDates = removed.dates;
        extensionsRemoved += removed.removed;
        for (const path of removed.modifierPaths) {
          problems.push({ code: 'modifier-extension-removed', message: 'an unknown modifier extension was removed', place: { path: `${String(res.resourceType)}.${path}` } });
        }
      },
      environment: (res, isContained) => {
        contained = isContained;
        resourceType = typeof res.resourceType === 'string' ? res.resourceType : '';
        if (isContained && containerEnv !== undefined) return containerEnv;
        let entry: FhirPatientEntry | undefined;
        if (res.resourceType === 'Patient' && typeof res.id === 'string') entry = refs.patient(`Patient/${res.id}`) ?? this.index.register(res);
        else if (res.resourceType === 'Patient') entry = this.index.register(res);
        else {
          const ref = patientReference(res);
          if (ref !== undefined) {
            entry = refs.patient(ref);
            if (entry === undefined) problems.push({ code: 'unresolved-patient', message: 'the patient this resource refers to was not found; its id was used as identity', place: { path: `${resourceType}.subject` } });
          }
        }
        entryOfResource = entry;
        // The resource's own dates join the patient's known identifiers: notes repeat them.
        // (Two lists, so the patient's compiled matcher is reused across resources.)
        known = entry?.known;
        knownDates = this.#dates(scanned === res ? scannedDates : scanResource(res, false).dates);
        const context = entry?.context ?? (patientReference(res) !== undefined ? this.index.fallback(String(patientReference(res)).split('/').pop() ?? '') : undefined);
        const env: ResourceEnvironment = { patient: context, hooks };
        if (!isContained) containerEnv = env;
        return env;
      },
      record: (_op, node, rule) => {
        // Counted per rule and category here, added to the tally once per call (hot path).
        let byCategory = counts.get(rule);
        if (byCategory === undefined) counts.set(rule, (byCategory = new Map<SafeHarborCategory, number>()));
        const category = categoryOf(node, rule);
        byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      },
    };
    const onError = this.#mode.kind === 'msft' ? this.#mode.config.processingErrors : 'raise';
    const original = onError === 'keep' ? structuredClone(resource) : undefined;
    try {
      this.#anonymizer.anonymize(resource, anonymizeHooks, engine);
    } catch (e) {
      if (engine === 'plan' && this.#anonymizer.fallible) throw new PlanAborted();
      // The Microsoft tool's `processingErrors`: `skip` leaves an empty, labelled resource; `keep`
      // the resource unprocessed (the problem is reported either way); `raise` fails the record.
      if (onError === 'raise' || !isBaseError(e)) throw e;
      const kept = original ?? { resourceType: resource.resourceType, meta: { security: [{ system: V3_OBSERVATION_VALUE, code: 'REDACTED', display: 'redacted' }] } };
      for (const k of Object.keys(resource)) Reflect.deleteProperty(resource, k);
      Object.assign(resource, kept);
      problems.push({ code: e.code, message: e.message, place: e.place ?? {} });
    }
    if (extensionsRemoved > 0) tally.add('other-id', 'fhir.redact:extension', extensionsRemoved);
    if (malformed > 0) tally.add('other-id', 'fhir.redact:malformed', malformed);
    for (const [rule, byCategory] of counts) {
      let id = this.#ruleIds.get(rule);
      if (id === undefined) {
        id = fhirRuleId(rule);
        this.#ruleIds.set(rule, id);
      }
      for (const [category, n] of byCategory) tally.add(category, id, n);
    }
    return { resource, tally, problems };
  }

  #dates(dates: readonly string[]): KnownIdentifiers {
    const key = dates.length === 1 ? (dates[0] ?? '') : dates.join(' ');
    let known = this.#datesKnown.get(key);
    if (known === undefined) {
      known = Object.freeze({ dates });
      if (this.#datesKnown.size >= 10_000) this.#datesKnown.clear();
      this.#datesKnown.set(key, known);
    }
    return known;
  }

  /** One object per (patient identifiers, resource dates) pair: the owner of long-text results. */
  readonly #owners = new WeakMap<object, WeakMap<object, object>>();

  #ownerOf(known: object, dates: object): object {
    let inner = this.#owners.get(known);
    if (inner === undefined) this.#owners.set(known, (inner = new WeakMap()));
    let owner = inner.get(dates);
    if (owner === undefined) inner.set(dates, (owner = {}));
    return owner;
  }

  /**
   * A text through the text engine: with the patient's known identifiers, then (when it has digits)
   * the resource's own dates. Short texts (code texts: "Hypertension", ...) repeat across
   * resources: memo per patient and per date list. Long texts (notes) are memoized whole by `#text`.
   */
  #deidText(text: string, entry: FhirPatientEntry | undefined, known: KnownIdentifiers | undefined, dates: KnownIdentifiers | undefined): string {
    const memoKey = known ?? this.#textCache;
    let memo = this.#textCache.get(memoKey);
    if (memo === undefined) {
      memo = new Map();
      this.#textCache.set(memoKey, memo);
    }
    const short = text.length <= MEMO_MAX_CHARS;
    let once = short ? memo.get(text) : undefined;
    if (once === undefined) {
      once = this.#options.text.deidentify({ text, ...(entry === undefined ? {} : { patient: entry.context }), ...(known === undefined ? {} : { known }) }).text;
      if (short) {
        if (memo.size >= 20_000) memo.clear();
        memo.set(text, once);
      }
    }
    // The resource's own dates: only texts with digits can hold them (memo per date list and patient).
    if (dates === undefined || !/\d/.test(once)) return once;
    let dateMemo = this.#textCache.get(dates);
    if (dateMemo === undefined) {
      dateMemo = new Map();
      this.#textCache.set(dates, dateMemo);
    }
    const shortOnce = once.length <= MEMO_MAX_CHARS;
    const dateKey = shortOnce ? `${entry?.context.pseudonym ?? ''}\0${once}` : '';
    let twice = shortOnce ? dateMemo.get(dateKey) : undefined;
    if (twice === undefined) {
      twice = this.#options.text.deidentify({ text: once, ...(entry === undefined ? {} : { patient: entry.context }), known: dates }).text;
      if (shortOnce) {
        if (dateMemo.size >= 20_000) dateMemo.clear();
        dateMemo.set(dateKey, twice);
      }
    }
    return twice;
  }

  #text(
    node: ElementNode, value: string, entry: FhirPatientEntry | undefined, known: KnownIdentifiers | undefined, dates: KnownIdentifiers | undefined,
  ): string | null {
    // A CodeableConcept's text that repeats the display of one of its coded codings is the code's
    // name, unless it holds a known identifier (the display then goes: #codeDisplay). A code-less
    // coding's display is typed text, which goes through the engine as this does.
    const codings = node.name === 'text' && node.parent?.type === 'CodeableConcept' ? node.holder.coding : undefined;
    if (Array.isArray(codings) && codings.some((c) => isJsonObject(c) && c.display === value && hasCode(c)) && !this.#holdsKnown(value, known)) return value;
    // A relative's birth written as text (FamilyMemberHistory.bornString `1905`): removed when it shows an age over 89.
    if (node.name === 'born' && node.type === 'string' && this.#applier !== undefined && this.#applier.profile.profile.over89 !== 'keep' && textShowsAgeOver89(value, this.#options.now?.() ?? new Date())) return null;
    // An age observation's value written as text (`96 years`): over 89, `90+` (§164.514(b)(2)(i)(C)).
    if (node.name === 'value' && node.type === 'string' && this.#applier?.methodFor('date.age').kind !== 'keep' && isAgeObservationValue(node)) {
      const years = ageInYearsOfText(value);
      if (years !== undefined && years > 89) return generalizeAge(years);
    }
    const base64 = node.type === 'base64Binary';
    if (base64) {
      const contentType = node.holder.contentType;
      if (typeof contentType !== 'string' || !contentType.startsWith('text/')) return null;
    }
    // A long text's whole result (both passes; for an attachment, its base64) by the value as
    // found, per patient and date list: one look-up, and a repeated note costs no decoding either.
    const long = value.length > MEMO_MAX_CHARS;
    const owner = long ? this.#ownerOf(known ?? this.#textCache, dates ?? this.#textCache) : undefined;
    if (owner !== undefined) {
      const hit = this.#longTexts.get(owner, value);
      if (hit !== undefined) return hit;
    }
    let out: string;
    if (base64) {
      // In the attachment's own character set (contentType `charset=`, a byte-order mark, UTF-16
      // by its zero bytes): read as UTF-8, a UTF-16 note shows no name to any detector.
      const decoded = decodeAttachment(value, node.holder.contentType as string);
      if (decoded === undefined) return null;
      out = encodeTextBytes(this.#deidText(decoded.text, entry, known, dates), decoded.encoding, decoded.bom).toString('base64');
    } else out = this.#deidText(value, entry, known, dates);
    if (owner !== undefined) this.#longTexts.set(owner, value, out);
    return out;
  }

  /**
   * A coded Coding's display stays (codes identify nobody), unless it holds one of the patient's known
   * identifiers (names, identifier values, address parts, phones, e-mails, birth date): then it is
   * removed; the code says what it was. Profiles that keep names keep it too.
   */
  #codeDisplay(value: string, known: KnownIdentifiers | undefined, applier: MethodApplier): { value: string | null; op: ReturnType<typeof operationOf> } {
    if (applier.methodFor('name').kind === 'keep') return { value, op: undefined };
    return this.#holdsKnown(value, known) ? { value: null, op: 'redact' } : { value, op: undefined };
  }

  /** Whether a code display holds one of the patient's known identifiers (memoized per known set). */
  #holdsKnown(value: string, known: KnownIdentifiers | undefined): boolean {
    if (known === undefined) return false;
    let checked = this.#displayChecks.get(known);
    if (checked === undefined) this.#displayChecks.set(known, (checked = new Map<string, boolean>()));
    let holds = checked.get(value);
    if (holds === undefined) {
      holds = this.#knownOnly.deidentify({ text: value, known }).spans.length > 0;
      if (checked.size >= 20_000) checked.clear();
      checked.set(value, holds);
    }
    return holds;
  }

  /** A value a `kind` rule found to be typed text: through the text engine, counted as `text` when changed. */
  #typedText(node: ElementNode, value: string, entry: FhirPatientEntry | undefined, known: KnownIdentifiers | undefined): { value: string | null; op: ReturnType<typeof operationOf> } {
    const text = this.#text(node, value, entry, known, this.#dates([]));
    return { value: text, op: text === value ? undefined : 'text' };
  }

  /**
   * A number that is an age (observation-age.ts) over 89, §164.514(b)(2)(i)(C): an Observation's
   * Quantity becomes 90 years with comparator `>=` (as an Age does); an integer becomes that
   * Quantity (an integer cannot say "or older"); the low bound of an age Range becomes 90 years
   * and its high bound goes (a Range's bounds cannot carry a comparator: `90 –` is "90 or older").
   * Other numbers stay.
   */
  #observedAge(node: ElementNode, value: string, applier: MethodApplier): { value: string | number | null; op: ReturnType<typeof operationOf> } {
    const kept = { value: Number(value), op: undefined };
    if (applier.methodFor('date.age').kind === 'keep') return kept;
    if (node.type === 'integer') {
      if (!isAgeObservationValue(node) || !(Number(value) > 89)) return kept;
      node.holder.valueQuantity = { value: AGE_CAP, comparator: '>=', unit: 'a', system: UCUM, code: 'a' };
      return { value: null, op: 'abstract' };
    }
    const quantity = node.holder;
    const role = node.parent === undefined ? undefined : ageQuantityRole(node.parent);
    const years = role === undefined ? undefined : ageInYearsOf(Number(value), quantity);
    if (years === undefined || !(years > 89)) return kept;
    if (role === 'high') {
      for (const k of ['comparator', 'unit', 'system', 'code']) if (k in quantity) quantity[k] = null;
      return { value: null, op: 'abstract' };
    }
    Object.assign(quantity, role === 'value' ? { comparator: '>=', unit: 'a', system: UCUM, code: 'a' } : { unit: 'a', system: UCUM, code: 'a' });
    return { value: AGE_CAP, op: 'abstract' };
  }

  #kind(
    node: ElementNode, value: string, rawKind: string, method: unknown, entry: FhirPatientEntry | undefined, known: KnownIdentifiers | undefined,
  ): { value: string | number | null; op: ReturnType<typeof operationOf> } {
    const applier = this.#applier;
    if (applier === undefined) return { value: null, op: 'redact' };
    if (rawKind === CODED_KIND) {
      // Kept for its codes (Identifier.type, Meta.tag): what a person typed inside goes as elsewhere.
      if (node.name === 'display' && node.parent?.type === 'Coding') return this.#kind(node, value, CODE_DISPLAY_KIND, undefined, entry, known);
      return node.name === 'text' && node.parent?.type === 'CodeableConcept' ? this.#typedText(node, value, entry, known) : { value, op: undefined };
    }
    if (rawKind === OBSERVED_AGE_KIND) return this.#observedAge(node, value, applier);
    if (rawKind === SAMPLED_DATA_KIND) return SAMPLED_DATA.test(value) ? { value, op: undefined } : { value: null, op: 'redact' };
    if (rawKind === URI_VALUE_KIND) {
      const uriKind = dataUriKind(node);
      return uriKind === undefined ? { value, op: undefined } : this.#kind(node, value, uriKind, method, entry, known);
    }
    if (rawKind === CODE_DISPLAY_KIND && hasCode(node.holder)) return this.#codeDisplay(value, known, applier);
    // A display with no code beside it (a Coding with no code, a reference with no target) is what
    // a person typed, not a code's or a resource's name: free text.
    if (rawKind === CODE_DISPLAY_KIND || (rawKind === 'display' && node.holder.reference === undefined && node.holder.identifier === undefined)) return this.#typedText(node, value, entry, known);
    const kind = rawKind === 'display' ? 'name' : rawKind === 'contact' ? contactKind(node.holder) : rawKind === 'identifier' ? identifierKind(node.holder) : rawKind;
    const m: DeidMethod = isJsonObject(method) ? (method as unknown as DeidMethod) : applier.methodFor(kind as Parameters<MethodApplier['methodFor']>[0]);
    // PS3.15 §E.3.9: the same UID as in the de-identified DICOM (deid/uid-remapper.ts), an OID URN staying one.
    if (kind === DICOM_UID_KIND && m.kind === 'pseudonym' && this.#dicomUid !== undefined) {
      const oid = value.startsWith('urn:oid:');
      const uid = oid ? value.slice(8) : value;
      return { value: `${oid ? 'urn:oid:' : ''}${this.#dicomUid(uid)}`, op: 'pseudonymize' };
    }
    const over89 = applier.profile.profile.over89;
    if (kind === 'date' && isBirthDate(node) && over89 !== 'keep') {
      const parts = parseFhirDate(value);
      const now = this.#options.now?.() ?? new Date();
      // §164.514(b)(2)(i)(C): a birth date of someone over 89 (the patient, or a relative's
      // FamilyMemberHistory.born[x]) is removed (or its year aggregated).
      if (parts !== undefined && indicatesAgeOver89(parts, now)) {
        return { value: over89 === 'remove-birth-date' ? null : String(now.getUTCFullYear() - 90), op: 'redact' };
      }
    }
    if (kind === 'date.age' && m.kind !== 'keep') {
      if (Number(value) <= 89) return { value: Number(value), op: undefined };
      node.holder.comparator = '>=';
      return { value: 90, op: 'abstract' };
    }
    // One object literal of fixed shape (`patient`, `known` may be undefined: MethodContext allows
    // it): conditional spreads here cost a clone per value (hot: every date, id and address part).
    const out = applier.apply(m, value, {
      kind: kind as Parameters<MethodApplier['methodFor']>[0],
      patient: entry?.context,
      known,
      // A top-level identifier's value (the resource root is the only node without a parent).
      idKind: kind === 'mrn' && node.parent?.parent !== undefined && node.parent.parent.parent === undefined && node.parent.name === 'identifier' ? 'mrn' : kind,
    });
    if (out === value) return { value, op: undefined };
    // R4 §2.24.0.1: a keyed pseudonym of a uuid or an oid stays one (`urn:uuid:`, `urn:oid:`).
    if (out !== undefined && (node.type === 'uuid' || node.type === 'oid') && (m.kind === 'pseudonym' || m.kind === 'cryptoHash')) {
      return { value: node.type === 'uuid' ? `urn:uuid:${uuidOfPseudonym(out)}` : `urn:oid:${oidOfPseudonym(out)}`, op: operationOf(m) };
    }
    // An instant is always complete (R4 §2.24.0.1 instant): a year alone is not one, so it goes,
    // except where R4 requires it (Provenance.recorded, AuditEvent.recorded: 1..1), where it becomes
    // the first instant of the year, which says no more than the year.
    if (node.type === 'instant' && out !== undefined && /^\d{4}$/.test(out)) {
      const required = node.name === 'recorded' && node.parent?.key === '' && REQUIRED_INSTANT_OWNERS.has(node.parent.name);
      return { value: required ? `${out}-01-01T00:00:00Z` : null, op: operationOf(m) };
    }
    const typed = out !== undefined && FHIR_NUMBER_TYPES.has(node.type) && Number.isFinite(Number(out)) ? Number(out) : (out ?? null);
    return { value: typed, op: operationOf(m) };
  }
}
