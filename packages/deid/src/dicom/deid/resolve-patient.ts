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
): PatientIdentity {
  const id = patientId?.trim() ?? '';
  const iss = issuer?.trim() === '' ? undefined : issuer?.trim();
  if (id !== '') {
    if (rules.resolve !== undefined) return rules.resolve(id, iss);
    // The issuer is an assigning authority, like HL7v2 CX-4; unmapped, it is the system itself.
    const system = (iss === undefined ? undefined : (rules.issuerSystems?.[iss] ?? iss)) ?? rules.defaultSystem ?? DEFAULT_PATIENT_ID_SYSTEM;
    return { system, value: id };
  }
  return { system: NO_PATIENT_ID_SYSTEM, value: studyUid?.trim() || 'unknown' };
}
