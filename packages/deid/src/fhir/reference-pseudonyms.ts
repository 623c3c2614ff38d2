import { hash } from 'node:crypto';
import type { PatientContext } from '../context/patient-context.ts';
import { isResourceType } from './fhir-model.ts';
import type { FhirPatientEntry, FhirPatientIndex } from './fhir-patient-index.ts';

/**
 * A UUID form of a pseudonym, so `urn:uuid:` references stay valid URNs (RFC 9562 §5.8, version 8):
 * the SHA-256 of the pseudonym (itself keyed), not of any identifier.
 */
export function uuidOfPseudonym(pseudonym: string): string {
  // One-shot `crypto.hash` (no Hash object per call): the same SHA-256 of the UTF-8 bytes.
  const h = hash('sha256', pseudonym, 'buffer');
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** An OID form of a pseudonym under the UUID arc 2.25 (ITU-T X.667). */
export function oidOfPseudonym(pseudonym: string): string {
  return `2.25.${BigInt(`0x${uuidOfPseudonym(pseudonym).replaceAll('-', '')}`).toString()}`;
}

const LITERAL = /^((?:https?:\/\/[^?#]*\/)?)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const UUID_PREFIX = 'urn:uuid:';

/**
 * The 36 characters after `urn:uuid:` when `ref` is that prefix and 36 of `[0-9a-fA-F-]`, else
 * undefined: `/^urn:uuid:([0-9a-fA-F-]{36})$/.exec(ref)?.[1]` without a match object (every
 * Bundle reference and fullUrl comes here once per run).
 */
export function uuidOfReference(ref: string): string | undefined {
  if (ref.length !== UUID_PREFIX.length + 36 || !ref.startsWith(UUID_PREFIX)) return undefined;
  for (let i = UUID_PREFIX.length; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    // 0-9, A-F, a-f, '-'
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 45)) return undefined;
  }
  return ref.slice(UUID_PREFIX.length);
}
const OID = /^urn:oid:([0-2](?:\.(?:0|[1-9][0-9]*))+)$/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?(.*)$/s;

/** Bound of each run memo (entries): cleared when full, so memory stays bounded in a run of any size. */
const MEMO_MAX = 200_000;

/**
 * What one de-identifier remembers across the resources of a run (memory only, never written,
 * dropped with the de-identifier; bounded by {@link MEMO_MAX} entries each): pseudonyms by their
 * exact HMAC input, patient look-ups, and whole rewritten references, so a value met again (the
 * patient's `subject` in every resource, an Encounter referenced by all its observations) costs a
 * map look-up and no HMAC. Look-ups and references depend on the patient index: both are dropped
 * when a patient is registered (the index's `generation` changes).
 */
export class ReferenceMemo {
  /**
   * `pseudonymFor` results by kind, then value: two look-ups instead of a `kind\0value` key, which
   * V8 would build, flatten and hash per call (hot: every id and reference).
   */
  readonly pseudonyms = new Map<string, Map<string, string>>();
  /** Entries in all of {@link pseudonyms}' maps (one bound for all kinds). */
  pseudonymCount = 0;
  /** UUID forms of pseudonyms, by pseudonym. */
  readonly uuids = new Map<string, string>();
  readonly lookups = new Map<string, FhirPatientEntry | null>();
  readonly references = new Map<string, string | null>();
  generation = -1;
}

/**
 * Rewrites resource ids and references so they still match after de-identification
 * (FHIR R4 §2.3.0 references, §2.36.4 Bundle fullUrl resolution): a Patient becomes its
 * pseudonym from the shared patient context, any other resource `pseudonymFor(type, id)`.
 */
export class ReferencePseudonyms {
  readonly #index: FhirPatientIndex;
  readonly #global: PatientContext;
  readonly #memo: ReferenceMemo;
  /** The global context's `pseudonymFor`, uncached where it can be (the memo caches). */
  readonly #pseudonymFor: (kind: string, value: string) => string;

  #sync(): void {
    const memo = this.#memo;
    if (memo.generation !== this.#index.generation) {
      memo.lookups.clear();
      memo.references.clear();
      memo.generation = this.#index.generation;
    }
  }

  #lookup(ref: string): FhirPatientEntry | undefined {
    this.#sync();
    const lookups = this.#memo.lookups;
    let e = lookups.get(ref);
    if (e === undefined) {
      e = this.#index.lookup(ref) ?? null;
      if (lookups.size >= MEMO_MAX) lookups.clear();
      lookups.set(ref, e);
    }
    return e ?? undefined;
  }

  /** `memo`: shared across the resources of a run (see {@link ReferenceMemo}). */
  constructor(index: FhirPatientIndex, memo: ReferenceMemo = new ReferenceMemo()) {
    this.#index = index;
    this.#global = index.global();
    this.#memo = memo;
    // The memo below already keeps every result: skip the factory's own cache where it offers that.
    const global = this.#global;
    this.#pseudonymFor = global.uncachedPseudonymFor ?? ((kind, value) => global.pseudonymFor(kind, value));
  }

  #for(kind: string, value: string): string {
    const memo = this.#memo;
    let byValue = memo.pseudonyms.get(kind);
    let p = byValue?.get(value);
    if (p === undefined) {
      p = this.#pseudonymFor(kind, value);
      if (memo.pseudonymCount >= MEMO_MAX) {
        memo.pseudonyms.clear();
        memo.pseudonymCount = 0;
        byValue = undefined;
      }
      if (byValue === undefined) memo.pseudonyms.set(kind, (byValue = new Map<string, string>()));
      byValue.set(value, p);
      memo.pseudonymCount++;
    }
    return p;
  }

  /** The registered patient a reference points to, if any. */
  patient(ref: string): FhirPatientEntry | undefined {
    return this.#lookup(ref);
  }

  patientPseudonym(id: string): string {
    const entry = this.#lookup(`Patient/${id}`);
    if (entry !== undefined) return entry.context.pseudonym;
    return this.#index.fallback(id).pseudonym;
  }

  #uuid(pseudonym: string): string {
    const uuids = this.#memo.uuids;
    let u = uuids.get(pseudonym);
    if (u === undefined) {
      u = uuidOfPseudonym(pseudonym);
      if (uuids.size >= MEMO_MAX) uuids.clear();
      uuids.set(pseudonym, u);
    }
    return u;
  }

  /** A resource's own id. */
  resourceId(resourceType: string, id: string, contained: boolean): string {
    if (contained) return this.#for('local', id);
    return resourceType === 'Patient' ? this.patientPseudonym(id) : this.#for(resourceType, id);
  }

  /** A reference, fullUrl or request URL; null when it has no form we can rewrite (then it is removed). */
  reference(ref: string): string | null {
    this.#sync();
    const references = this.#memo.references;
    let out = references.get(ref);
    if (out === undefined) {
      out = this.#rewrite(ref);
      if (references.size >= MEMO_MAX) references.clear();
      references.set(ref, out);
    }
    return out;
  }

  #rewrite(ref: string): string | null {
    if (ref.startsWith('#')) return ref === '#' ? ref : `#${this.#for('local', ref.slice(1))}`;
    const uuid = uuidOfReference(ref);
    if (uuid !== undefined) {
      const patient = this.#lookup(ref);
      return `urn:uuid:${this.#uuid(patient?.context.pseudonym ?? this.#for('urn:uuid', uuid))}`;
    }
    const oid = OID.exec(ref);
    if (oid?.[1] !== undefined) return `urn:oid:${oidOfPseudonym(this.#for('urn:oid', oid[1]))}`;
    const lit = LITERAL.exec(ref);
    if (lit?.[2] !== undefined && lit[3] !== undefined && isResourceType(lit[2])) {
      const id = lit[2] === 'Patient' ? this.patientPseudonym(lit[3]) : this.#for(lit[2], lit[3]);
      return `${lit[1] ?? ''}${lit[2]}/${id}`;
    }
    const cond = CONDITIONAL.exec(ref);
    if (cond?.[1] !== undefined && cond[2] !== undefined && isResourceType(cond[1])) {
      // Conditional reference / request (R4 §3.1.0.8): keep parameter names and systems, pseudonymize values.
      const params = cond[2].split('&').map((p) => {
        const eq = p.indexOf('=');
        if (eq < 0) return p;
        const value = decodeURIComponent(p.slice(eq + 1));
        const bar = value.lastIndexOf('|');
        const head = bar < 0 ? '' : value.slice(0, bar + 1);
        const tail = bar < 0 ? value : value.slice(bar + 1);
        return `${p.slice(0, eq)}=${encodeURIComponent(head + (tail === '' ? '' : this.#for('identifier', tail)))}`;
      });
      return `${cond[1]}?${params.join('&')}`;
    }
    if (/^[A-Z][A-Za-z]+$/.test(ref) && isResourceType(ref)) return ref;
    return null;
  }
}
