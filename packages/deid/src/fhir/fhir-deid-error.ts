import { BaseError } from '@phiguard/core';

/**
 * What can go wrong in FHIR de-identification. Messages name places (file, line, JSON path) and
 * kinds, never data values (ARCHITECTURE §5).
 */
export type FhirDeidErrorCode =
  | 'fhir-bad-json'
  | 'fhir-not-a-resource'
  | 'fhir-bad-config'
  | 'fhir-unsupported-rule'
  | 'fhir-rule-not-applicable'
  | 'fhir-processing';

/**
 * The FHIR half's error (one literal-union code and a `place`). Kept apart from `DeidError`
 * so the two halves of the package can be edited concurrently; the codes can be folded in later.
 */
export class FhirDeidError extends BaseError<FhirDeidErrorCode> {}
