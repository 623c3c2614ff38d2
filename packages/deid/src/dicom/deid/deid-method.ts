import type { DicomElement } from '../dataset.ts';
import type { ProfileOption } from '../profile/profile-row.ts';
import { asciiElement } from '../values.ts';

/** CID 7050 "De-identification Method" codes (PS3.16), scheme DCM. */
export const CID_7050: Readonly<Record<ProfileOption | 'basic' | 'cleanPixelData', readonly [string, string]>> = {
  basic: ['113100', 'Basic Application Confidentiality Profile'],
  cleanPixelData: ['113101', 'Clean Pixel Data Option'],
  cleanGraphics: ['113103', 'Clean Graphics Option'],
  cleanStructuredContent: ['113104', 'Clean Structured Content Option'],
  cleanDescriptors: ['113105', 'Clean Descriptors Option'],
  retainLongitudinalFullDates: ['113106', 'Retain Longitudinal Temporal Information Full Dates Option'],
  retainLongitudinalModifiedDates: ['113107', 'Retain Longitudinal Temporal Information Modified Dates Option'],
  retainPatientCharacteristics: ['113108', 'Retain Patient Characteristics Option'],
  retainDeviceIdentity: ['113109', 'Retain Device Identity Option'],
  retainUids: ['113110', 'Retain UIDs Option'],
  retainSafePrivate: ['113111', 'Retain Safe Private Option'],
  retainInstitutionIdentity: ['113112', 'Retain Institution Identity Option'],
};

/**
 * The attributes PS3.15 §E.1.1 requires on de-identified output: Patient Identity Removed
 * (0012,0062) YES, De-identification Method (0012,0063), De-identification Method Code Sequence
 * (0012,0064) and Longitudinal Temporal Information Modified (0028,0303).
 */
export function deidMethodElements(options: readonly ProfileOption[], pixelsCleaned: boolean): DicomElement[] {
  const used: (keyof typeof CID_7050)[] = ['basic', ...(pixelsCleaned ? (['cleanPixelData'] as const) : []), ...options];
  const items = used.map((k) => {
    const [code, meaning] = CID_7050[k];
    return {
      undefinedLength: false,
      elements: [asciiElement(0x00080100, 'SH', code), asciiElement(0x00080102, 'SH', 'DCM'), asciiElement(0x00080104, 'LO', meaning)],
    };
  });
  const temporal = options.includes('retainLongitudinalModifiedDates')
    ? 'MODIFIED'
    : options.includes('retainLongitudinalFullDates')
      ? 'UNMODIFIED'
      : 'REMOVED';
  const method = ['PHIGuard PS3.15 E.1-1 Basic Profile', ...used.slice(1).map((k) => CID_7050[k][1].slice(0, 64))].join('\\');
  return [
    asciiElement(0x00120062, 'CS', 'YES'),
    asciiElement(0x00120063, 'LO', method),
    { tag: 0x00120064, vr: 'SQ', items, undefinedLength: false, offset: 0 },
    asciiElement(0x00280303, 'CS', temporal),
  ];
}
