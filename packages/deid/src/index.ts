export { SAFE_HARBOR_CATEGORIES, type SafeHarborCategory } from './safe-harbor/categories.ts';
export type { DeidKey, PatientContext, PatientContextFactory, PatientIdentity } from './context/patient-context.ts';
export type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier, TextSpan } from './text/text-deidentifier.ts';
