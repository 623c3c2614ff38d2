import type { PatientIdentity } from '../../context/patient-context.ts';
import type { IdentityResolution } from './dicom-deid-options.ts';

export const DEFAULT_PATIENT_ID_SYSTEM = 'urn:phiguard:dicom:patient-id';
/** Used when an instance has no Patient ID: the pseudonym is then stable per study only. */
export const NO_PATIENT_ID_SYSTEM = 'urn:phiguard:dicom:study-instance-uid';

/**
 * The {@link PatientIdentity} of an instance: Patient ID (0010,0020) in the system named by its
 * Issuer of Patient ID (0010,0021), mapped to the system FHIR and HL7v2 use for the same
 * identifiers, so one patient gets one pseudonym and one date shift in every format.
 */
export function resolvePatientIdentity(
  patientId: string | undefined,
  issuer: string | undefined,
  studyUid: string | undefined,
  rules: IdentityResolution = {},
  universal?: { readonly id: string | undefined; readonly type: string | undefined },
): PatientIdentity {
  const id = patientId?.trim() ?? '';
  const iss = issuer?.trim() === '' ? undefined : issuer?.trim();
  if (id !== '') {
    if (rules.resolve !== undefined) return rules.resolve(id, iss);
    const mapped = iss === undefined ? undefined : rules.issuerSystems?.[iss];
    if (mapped !== undefined) return { system: mapped, value: id };
    // As HL7v2 CX-4 (hl7v2/hl7-identity.ts): an ISO universal id (Issuer of Patient ID Qualifiers
    // Sequence, PS3.3 §C.7.1.1) gives `urn:oid:`, else the namespace (Issuer of Patient ID) is the system.
    const uid = universal?.id?.trim();
    if (uid !== undefined && uid !== '' && universal?.type?.trim().toUpperCase() === 'ISO') return { system: `urn:oid:${uid}`, value: id };
    return { system: iss ?? rules.defaultSystem ?? DEFAULT_PATIENT_ID_SYSTEM, value: id };
  }
  return { system: NO_PATIENT_ID_SYSTEM, value: studyUid?.trim() || 'unknown' };
}
