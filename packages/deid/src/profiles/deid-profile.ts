import type { SafeHarborCategory } from '../safe-harbor/categories.ts';

/** How a value is treated. Format-neutral: formats find values, these say what becomes of them. */
export type DeidMethod =
  /** Leave the value as it is. */
  | { readonly kind: 'keep' }
  /** Remove the value (an empty field, a deleted element). */
  | { readonly kind: 'redact' }
  /** Shift a date by the patient's shift (Expert Determination, §164.514(b)(1)). */
  | { readonly kind: 'dateShift' }
  /** The patient's pseudonym for the patient identifier, `pseudonymFor(kind, value)` for others. */
  | { readonly kind: 'pseudonym' }
  /** HMAC-SHA-256 under the key's crypto-hash subkey, lower-case hex, optionally truncated. */
  | { readonly kind: 'cryptoHash'; readonly length?: number }
  /** A token from the linkage vault ({@link LinkageTokenizer}); the value stays recoverable there only. */
  | { readonly kind: 'encrypt' }
  /** A fixed replacement. */
  | { readonly kind: 'substitute'; readonly value: string }
  /** Coarser value: a date to its year, a ZIP to its Safe Harbor 3 digits, an age to `90+`, a text to a prefix. */
  | { readonly kind: 'generalize'; readonly to: 'year' | 'zip3' | 'age90' | 'prefix'; readonly length?: number }
  /** Keyed deterministic noise on a number: ±`range`, rounded to `roundTo`. */
  | { readonly kind: 'perturb'; readonly range: number; readonly roundTo?: number }
  /** Free text through the {@link TextDeidentifier} port. */
  | { readonly kind: 'text' };

export type DeidMethodKind = DeidMethod['kind'];

export const DEID_METHOD_KINDS: readonly DeidMethodKind[] = ['keep', 'redact', 'dateShift', 'pseudonym', 'cryptoHash', 'encrypt', 'substitute', 'generalize', 'perturb', 'text'];

/**
 * What kind of value a format found: a Safe Harbor category, optionally refined by a part after a
 * dot (`geographic.zip`, `geographic.state`, `date.birth`, `mrn.patient`), or `text` for free text,
 * or `safe` for values that identify nobody (codes, units, numbers). A profile looks up the most
 * specific key first: `geographic.zip`, then `geographic`.
 */
export type ValueKind = SafeHarborCategory | `${SafeHarborCategory}.${string}` | 'text' | 'safe';

/** Where a rule applies; each format reads its own address form and ignores the others. */
export interface RuleTarget {
  /** HL7v2 `SEG-n` or `SEG-n.c` (e.g. `PID-5`, `PID-11.5`, `ZPI-*`). */
  readonly hl7?: string;
  /** FHIRPath expression (e.g. `Patient.name`). */
  readonly fhirPath?: string;
  /** DICOM tag `(gggg,eeee)` or keyword. */
  readonly dicomTag?: string;
}

export interface ProfileRule {
  /** Short id used in manifests' counts (`byRule`); default derived from the target. */
  readonly id?: string;
  readonly target: RuleTarget;
  /** The category counted in the manifest for values this rule changes. */
  readonly category?: SafeHarborCategory;
  readonly method: DeidMethod;
}

/** The legal basis a profile implements (docs/deid/profiles.md). */
export type ProfileBasis = 'safe-harbor' | 'expert-determination' | 'limited-data-set' | 'custom';

/**
 * A de-identification profile as data (JSON/YAML): per value-kind methods, path-specific rules
 * that override them, and what happens to what no table knows.
 */
export interface DeidProfile {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly basis: ProfileBasis;
  /** Methods by {@link ValueKind}; every one of the 18 categories must be present. */
  readonly kinds: Readonly<Record<string, DeidMethod>>;
  readonly rules: readonly ProfileRule[];
  /** Segments / elements no table knows (incl. HL7 Z-segments, private DICOM tags). */
  readonly unknown: 'remove' | 'keep';
  /** Ages over 89 become `90+` and their birth dates are removed or aggregated (§164.514(b)(2)(i)(C)). */
  readonly over89: 'remove-birth-date' | 'aggregate-birth-year' | 'keep';
  /** Three-digit ZIP prefixes that become `000` (default: HHS 2000 Census list). */
  readonly restrictedZip3?: readonly string[];
}

/** A validated profile with its identity: `sha256:` + hex of its canonical JSON (RFC 8785). */
export interface LoadedProfile {
  readonly profile: DeidProfile;
  readonly hash: string;
}
