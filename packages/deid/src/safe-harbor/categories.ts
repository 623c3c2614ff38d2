/**
 * The 18 identifier categories of HIPAA Safe Harbor, 45 CFR §164.514(b)(2)(i)(A)–(R).
 * Manifests and span annotations count by these codes.
 */
export const SAFE_HARBOR_CATEGORIES = [
  'name', // (A) names
  'geographic', // (B) geographic subdivisions smaller than a state, incl. street, city, county, ZIP
  'date', // (C) all elements of dates (except year) related to an individual, and ages over 89
  'phone', // (D) telephone numbers
  'fax', // (E) fax numbers
  'email', // (F) electronic mail addresses
  'ssn', // (G) social security numbers
  'mrn', // (H) medical record numbers
  'health-plan', // (I) health plan beneficiary numbers
  'account', // (J) account numbers
  'license', // (K) certificate/license numbers
  'vehicle', // (L) vehicle identifiers and serial numbers, incl. license plates
  'device', // (M) device identifiers and serial numbers
  'url', // (N) web URLs
  'ip', // (O) IP addresses
  'biometric', // (P) biometric identifiers, incl. finger and voice prints
  'photo', // (Q) full-face photographs and comparable images
  'other-id', // (R) any other unique identifying number, characteristic, or code
] as const;

export type SafeHarborCategory = (typeof SAFE_HARBOR_CATEGORIES)[number];
