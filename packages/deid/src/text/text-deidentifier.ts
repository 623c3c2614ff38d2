import type { PatientContext } from '../context/patient-context.ts';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';

/**
 * Identifiers of the patient already known from structured data (FHIR Patient, HL7 PID/NK1,
 * DICOM header). The text engine removes them by exact and fuzzy match. PHI: never logged.
 */
export interface KnownIdentifiers {
  readonly names?: readonly string[];
  readonly dates?: readonly string[];
  readonly identifiers?: readonly string[];
  readonly addresses?: readonly string[];
  readonly phones?: readonly string[];
  readonly emails?: readonly string[];
}

export interface TextDeidRequest {
  readonly text: string;
  /** The patient the text belongs to, for consistent surrogates and date shifts. */
  readonly patient?: PatientContext;
  readonly known?: KnownIdentifiers;
}

/** A detected identifier: offsets in UTF-16 code units into the input text. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
  readonly category: SafeHarborCategory;
  /** Which detector fired, e.g. `regex.phone`, `dictionary.surname`, `known.name`. */
  readonly detector: string;
}

export interface TextDeidResult {
  readonly text: string;
  readonly spans: readonly TextSpan[];
}

/**
 * The port through which FHIR narratives, HL7 OBX/NTE text, DICOM descriptors and notes are
 * de-identified. The full engine lives in `text/`; simpler implementations must at least remove
 * the known identifiers.
 */
export interface TextDeidentifier {
  deidentify(request: TextDeidRequest): TextDeidResult;
}
