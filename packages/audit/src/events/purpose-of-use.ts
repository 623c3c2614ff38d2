/**
 * Purpose of use: HL7 v3 ActReason codes (value set v3-PurposeOfUse, 2.16.840.1.113883.1.11.20448)
 * that PHIGuard understands. Every request that touches data carries one.
 */
export const PURPOSES_OF_USE = [
  'TREAT', // treatment
  'ETREAT', // emergency treatment
  'HPAYMT', // healthcare payment
  'HOPERAT', // healthcare operations
  'HSYSADMIN', // system administration
  'HRESCH', // healthcare research
  'CLINTRCH', // clinical trial research
  'PUBHLTH', // public health
  'HQUALIMP', // quality improvement
  'PATRQT', // patient requested
  'HLEGAL', // legal
  'COVERAGE', // coverage under policy or program
  'BTG', // break the glass
] as const;

export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

export function isPurposeOfUse(value: unknown): value is PurposeOfUse {
  return typeof value === 'string' && (PURPOSES_OF_USE as readonly string[]).includes(value);
}
