/**
 * The contract every format shares so one patient looks the same everywhere (FHIR, HL7v2, DICOM,
 * notes): same pseudonym, same date shift, in any file and any run, as long as the key is the same.
 * Implemented in this folder; formats depend only on these interfaces.
 */

/** The de-identification key. `id` is not secret and goes into manifests; `secret` never leaves memory. */
export interface DeidKey {
  readonly id: string;
  readonly secret: Uint8Array;
}

/**
 * How a patient is recognised across sources: an identifier system and value (an MRN, an SSN, a
 * master patient index id). PHI: never logged. Resolution rules map each format's fields to one
 * of these (see docs/deid/patient-context.md).
 */
export interface PatientIdentity {
  readonly system: string;
  readonly value: string;
}

export interface PatientContext {
  /** Stable keyed pseudonym, e.g. `PG-` + base32 of an HMAC; format configurable. */
  readonly pseudonym: string;
  /** Whole days, derived from the key and the identity, within the configured window. */
  readonly dateShiftDays: number;
  /**
   * Shifts a date or date-time written in ISO 8601 / FHIR form (`2021`, `2021-03`, `2021-03-04`,
   * `2021-03-04T10:00:00+01:00`) by {@link dateShiftDays}, keeping its precision and form.
   */
  shiftIsoDate(value: string): string;
  /** A keyed pseudonym for another identifier of this patient's data (encounter, accession, order). */
  pseudonymFor(kind: string, value: string): string;
  /**
   * The same value as {@link pseudonymFor}, without the factory's cache: for callers that keep
   * their own memo (the FHIR run memo), so a first-seen id is not also stored in a second map.
   * Optional: wrappers of a context may leave it out (then call `pseudonymFor`).
   */
  readonly uncachedPseudonymFor?: (kind: string, value: string) => string;
}

export interface PatientContextFactory {
  /** Id of the key used (for manifests). */
  readonly keyId: string;
  forPatient(identity: PatientIdentity): PatientContext;
}
