import type { PatientContextFactory, PatientIdentity } from '../../context/patient-context.ts';
import type { DeidKey } from '../../context/patient-context.ts';
import type { TextDeidentifier } from '../../text/text-deidentifier.ts';
import type { ProfileOption } from '../profile/profile-row.ts';
import type { PixelRegionRule } from '../burned-in/pixel-region-rule.ts';
import type { Vr } from '../vr.ts';

/** A private element known to be safe (PS3.15 §E.3.10, Table E.3.10-1): creator, group, element byte. */
export interface SafePrivateElement {
  readonly creator: string;
  readonly group: number;
  /** The element's low byte (gggg,xxEE → EE): private elements are numbered within their creator's block. */
  readonly element: number;
  /**
   * The VR the table lists. When given, an element is kept only with this VR, or as UN (Implicit
   * VR) with a value that fits it; a text where a number was listed is removed.
   */
  readonly vr?: Vr;
}

/** What to do with images that may carry burned-in text (PS3.15 §E.3.1 Clean Pixel Data Option). */
export type BurnedInPolicy = 'quarantine' | 'clean' | 'accept';

export interface DicomDeidOptions {
  /** Pseudonyms and date shifts shared with FHIR and HL7v2 (packages/deid/src/context). */
  readonly factory: PatientContextFactory;
  /** The de-identification key; UIDs are derived from it (HKDF purpose `dicom-uid`). */
  readonly key: DeidKey;
  /** PS3.15 §E.3 options in use. Default: none (Basic Profile only). */
  readonly options?: readonly ProfileOption[];
  /** Cleans descriptors, SR text and graphic text (Clean Descriptors / Structured Content / Graphics). */
  readonly text?: TextDeidentifier;
  /**
   * Private elements kept under Retain Safe Private (PS3.15 §E.3.10). Default: Table E.3.10-1
   * (`SAFE_PRIVATE_ATTRIBUTES`); a list given here replaces it (spread the default to extend it).
   */
  readonly safePrivate?: readonly SafePrivateElement[];
  /** Patient identity from PatientID (0010,0020) + IssuerOfPatientID (0010,0021). */
  readonly identity?: IdentityResolution;
  /** Default `quarantine`. */
  readonly burnedIn?: BurnedInPolicy;
  /** Regions to blank per manufacturer/model (e.g. from the pydicom deid recipe), used by `clean`. */
  readonly pixelRegions?: readonly PixelRegionRule[];
  /** Names the input in error places. */
  readonly name?: string;
  /**
   * DICOMDIR: maps each component of a Referenced File ID (0004,1500) the way the output files are
   * named (`OutputNamer.component`), so records still point at their files. Default: kept.
   */
  readonly fileIds?: (component: string) => string;
}

export interface IdentityResolution {
  /** Issuer of Patient ID → identifier system used by FHIR/HL7v2 for the same MRNs. */
  readonly issuerSystems?: Readonly<Record<string, string>>;
  /** System when the issuer is absent or unmapped. Default `urn:phiguard:dicom:patient-id`. */
  readonly defaultSystem?: string;
  /** Overrides everything above. */
  readonly resolve?: (patientId: string, issuer: string | undefined) => PatientIdentity;
}
