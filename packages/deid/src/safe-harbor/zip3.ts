/**
 * Three-digit ZIP prefixes whose areas had 20,000 or fewer people in the 2000 Census (HHS,
 * "Guidance Regarding Methods for De-identification of PHI", §3.1, 2012). Under Safe Harbor,
 * 45 CFR §164.514(b)(2)(i)(B), these become `000`; every other ZIP keeps its first three digits.
 * Pass another list (e.g. from a newer census) where policy says so.
 */
export const HHS_RESTRICTED_ZIP3_2000: readonly string[] = Object.freeze([
  '036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893',
]);

const DIGITS = /^\d{3}/;

/**
 * The Safe Harbor form of a ZIP code: its first three digits, or `000` when that prefix is
 * restricted. Anything without three leading digits (a foreign postal code) becomes `000` too,
 * so no unrecognised geography survives.
 */
export function generalizeZip(zip: string, restricted: readonly string[] = HHS_RESTRICTED_ZIP3_2000): string {
  const m = DIGITS.exec(zip.trim());
  if (m === null) return '000';
  return restricted.includes(m[0]) ? '000' : m[0];
}
