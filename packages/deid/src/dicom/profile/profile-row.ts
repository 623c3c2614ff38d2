/**
 * One row of DICOM PS3.15 Annex E Table E.1-1: the Basic Profile action and the action of each
 * option column (PS3.15 §E.3) that mentions the attribute.
 */
export const BASIC_ACTIONS = ['D', 'Z', 'X', 'K', 'C', 'U', 'X/Z', 'X/D', 'X/Z/D', 'X/Z/U*', 'Z/D'] as const;
export type BasicAction = (typeof BASIC_ACTIONS)[number];

/** The options of PS3.15 §E.3.1–E.3.11, as columns of Table E.1-1. */
export const PROFILE_OPTIONS = [
  'retainSafePrivate',
  'retainUids',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'retainPatientCharacteristics',
  'retainLongitudinalFullDates',
  'retainLongitudinalModifiedDates',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
] as const;
export type ProfileOption = (typeof PROFILE_OPTIONS)[number];

export interface ProfileRow {
  /** `GGGG,EEEE`, or a mask with `X` digits (`50XX,XXXX`), or `GGGG,EEEE` for private attributes. */
  readonly tag: string;
  readonly name: string;
  readonly basic: BasicAction;
  readonly options?: Readonly<Partial<Record<ProfileOption, 'K' | 'C'>>>;
}
