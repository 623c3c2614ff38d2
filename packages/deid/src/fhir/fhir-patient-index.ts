import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import type { PatientContext, PatientContextFactory, PatientIdentity } from '../context/patient-context.ts';
import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import { type JsonObject, isJsonObject } from './element-tree.ts';

/** A patient as the de-identifier knows it: the shared context and what text engines must remove. */
export interface FhirPatientEntry {
  readonly context: PatientContext;
  /** PHI, memory only: never logged, never written. */
  readonly known: KnownIdentifiers;
}

/**
 * The identity system used when a Patient has no identifier of a configured system and no MR
 * identifier: the resource id, which links only within FHIR (docs/deid/fhir.md "Patient identity").
 */
export const FHIR_PATIENT_ID_SYSTEM = 'urn:phiguard:fhir:patient-id';

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

function identifiers(patient: JsonObject): JsonObject[] {
  return Array.isArray(patient.identifier) ? patient.identifier.filter(isJsonObject) : [];
}

function typeCodes(identifier: JsonObject): string[] {
  const type = identifier.type;
  if (!isJsonObject(type) || !Array.isArray(type.coding)) return [];
  return type.coding.filter(isJsonObject).filter((c) => c.system === undefined || c.system === V2_0203).map((c) => String(c.code));
}

/**
 * How a Patient is recognised across formats (docs/deid/patient-context.md): the first identifier
 * of the first configured system (e.g. the MRN system of the source EHR), else the first
 * identifier typed MR (HL7 v2 table 0203), else the resource id.
 */
export function fhirPatientIdentity(patient: JsonObject, systems: readonly string[]): PatientIdentity | undefined {
  const ids = identifiers(patient).filter((i) => typeof i.value === 'string' && i.value.trim() !== '');
  for (const system of systems) {
    const hit = ids.find((i) => i.system === system);
    if (hit !== undefined) return { system, value: String(hit.value) };
  }
  const mr = ids.find((i) => typeCodes(i).includes('MR') && typeof i.system === 'string' && i.system !== '');
  if (mr !== undefined) return { system: String(mr.system), value: String(mr.value) };
  if (typeof patient.id === 'string' && patient.id !== '') return { system: FHIR_PATIENT_ID_SYSTEM, value: patient.id };
  return undefined;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [] : [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  return [];
}

/** Titles and suffixes that a HumanName.text carries but that name nobody. */
const NAME_TEXT_AFFIXES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'jr', 'sr', 'ii', 'iii', 'iv', 'md', 'phd', 'rn']);

/**
 * The words of a `HumanName.text` (`Martha Whitfield`), as given and family are listed one by one:
 * a contact known only by text is then found as `wife Martha`. Titles and initials are left out.
 */
function textNameWords(text: string): string[] {
  return text.split(/[\s,]+/).filter((w) => /^\p{L}[\p{L}'’-]+$/u.test(w) && !NAME_TEXT_AFFIXES.has(w.toLowerCase().replace(/\.$/, '')));
}

/** The patient's identifiers as structured data gives them, for the text engines (names, dates, ...). */
export function fhirKnownIdentifiers(patient: JsonObject): KnownIdentifiers {
  const names: string[] = [];
  const people = [patient, ...(Array.isArray(patient.contact) ? patient.contact.filter(isJsonObject) : [])];
  for (const person of people) {
    const list = Array.isArray(person.name) ? person.name : person.name === undefined ? [] : [person.name];
    for (const n of list.filter(isJsonObject)) {
      const given = strings(n.given);
      const family = strings(n.family);
      const text = strings(n.text);
      names.push(...given, ...family, ...text, ...text.flatMap(textNameWords), ...strings(n.prefix).filter((p) => p.length > 3));
      if (given.length > 0 && family.length > 0) names.push(`${given.join(' ')} ${family.join(' ')}`);
      const stripped = [...given, ...family].map((s) => s.replace(/\d+$/, '')).filter((s) => s.length > 1);
      names.push(...stripped);
    }
  }
  const addresses: string[] = [];
  const phones: string[] = [];
  const emails: string[] = [];
  for (const person of people) {
    const addrs = Array.isArray(person.address) ? person.address : person.address === undefined ? [] : [person.address];
    for (const a of addrs.filter(isJsonObject)) addresses.push(...strings(a.line), ...strings(a.city), ...strings(a.text), ...strings(a.district), ...strings(a.postalCode));
    for (const t of (Array.isArray(person.telecom) ? person.telecom : []).filter(isJsonObject)) {
      if (typeof t.value !== 'string') continue;
      if (t.system === 'email') emails.push(t.value);
      else phones.push(t.value);
    }
  }
  return Object.freeze({
    names: [...new Set(names)],
    dates: strings(patient.birthDate),
    identifiers: [...new Set([...identifiers(patient).flatMap((i) => strings(i.value)), ...strings(patient.id)])],
    addresses: [...new Set(addresses)],
    phones,
    emails,
  });
}

/**
 * References to patients → their contexts, filled by a first pass over Patient resources
 * (a Bundle's, or a bulk export's Patient files). Keys are HMACs under a per-index random key,
 * so the index holds no resource ids or identifiers in the clear.
 */
export class FhirPatientIndex {
  readonly #factory: PatientContextFactory;
  readonly #systems: readonly string[];
  readonly #salt = createSecretKey(randomBytes(32));
  readonly #entries = new Map<string, FhirPatientEntry>();
  /**
   * A cheap 32-bit hash (FNV-1a from a random seed) of every registered key: a reference whose
   * hash is not here is no patient's, and costs no HMAC (most references are not to patients).
   * A hit is confirmed through the HMAC key.
   */
  readonly #seed = randomBytes(4).readUInt32LE(0);
  readonly #quick = new Set<number>();

  constructor(factory: PatientContextFactory, identifierSystems: readonly string[] = []) {
    this.#factory = factory;
    this.#systems = identifierSystems;
  }

  #generation = 0;
  #global: PatientContext | undefined;

  get size(): number {
    return this.#entries.size;
  }

  /** Changes whenever a patient is registered (memos of look-ups, misses included, check it). */
  get generation(): number {
    return this.#generation;
  }

  #key(ref: string): string {
    return createHmac('sha256', this.#salt).update(ref, 'utf8').digest('base64');
  }

  #quickHash(ref: string): number {
    let h = this.#seed ^ 0x811c9dc5;
    for (let i = 0; i < ref.length; i++) h = Math.imul(h ^ ref.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  #set(ref: string, entry: FhirPatientEntry): void {
    this.#quick.add(this.#quickHash(ref));
    this.#entries.set(this.#key(ref), entry);
  }

  #get(ref: string): FhirPatientEntry | undefined {
    return this.#quick.has(this.#quickHash(ref)) ? this.#entries.get(this.#key(ref)) : undefined;
  }

  /** The patient's entry, registering it under `Patient/<id>`, `urn:uuid:<id>` and its `fullUrl`. */
  register(patient: JsonObject, fullUrl?: string): FhirPatientEntry | undefined {
    // A Patient with neither identifier nor id (a transaction entry known by its `urn:uuid:`
    // fullUrl) is known by that, as an unresolved reference to it would be ({@link fallback}).
    const identity = fhirPatientIdentity(patient, this.#systems) ?? (fullUrl === undefined || fullUrl === '' ? undefined : { system: FHIR_PATIENT_ID_SYSTEM, value: fullUrl.split('/').pop() ?? fullUrl });
    if (identity === undefined) return undefined;
    const entry: FhirPatientEntry = { context: this.#factory.forPatient(identity), known: fhirKnownIdentifiers(patient) };
    this.#generation++;
    if (typeof patient.id === 'string') {
      this.#set(`Patient/${patient.id}`, entry);
      this.#set(`urn:uuid:${patient.id}`, entry);
    }
    if (fullUrl !== undefined) this.#set(fullUrl, entry);
    return entry;
  }

  /** The patient a reference points to, when known (`Patient/x`, `.../Patient/x`, `urn:uuid:x`). */
  lookup(reference: string): FhirPatientEntry | undefined {
    const direct = this.#get(reference);
    if (direct !== undefined) return direct;
    const m = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(reference);
    return m?.[1] === undefined ? undefined : this.#get(`Patient/${m[1]}`);
  }

  /** A context for a patient reference not in the index: its id as identity (links within FHIR only). */
  fallback(id: string): PatientContext {
    return this.#factory.forPatient({ system: FHIR_PATIENT_ID_SYSTEM, value: id });
  }

  /** The context for ids of resources that belong to no patient (Practitioner, Organization, ...). */
  global(): PatientContext {
    return (this.#global ??= this.#factory.forPatient({ system: 'urn:phiguard:fhir:global', value: 'resource-ids' }));
  }
}
