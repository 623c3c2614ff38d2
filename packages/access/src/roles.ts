/** The built-in roles (issue 7; HIPAA §164.308(a)(4) access management). */
export const ROLES = ['admin', 'security-officer', 'data-steward', 'ml-engineer', 'annotator', 'auditor', 'key-custodian'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
