import type { PatientIdentity } from './patient-context.ts';
import { DeidError } from './deid-error.ts';

/**
 * The normal form of an identity (docs/deid/patient-context.md): Unicode NFC, the system trimmed
 * and lower-cased (`MRN`, ` mrn ` and `mrn` are one system), the value trimmed, inner white space
 * removed and upper-cased (identifiers are case-insensitive in practice: `ab-12` = `AB-12`).
 * Dashes and dots are kept: formats must pass the value as the source system issued it.
 */
export function normalizeIdentity(identity: PatientIdentity): PatientIdentity {
  const system = identity.system.normalize('NFC').trim().toLowerCase();
  const value = identity.value.normalize('NFC').replace(/\s+/gu, '').toUpperCase();
  if (system === '' || value === '') {
    throw new DeidError('invalid-identity', 'a patient identity needs a non-empty system and value', {
      hint: 'check the identity resolution rule (identifier type / assigning authority)',
    });
  }
  if (system.includes('\0') || value.includes('\0')) throw new DeidError('invalid-identity', 'a patient identity may not contain NUL');
  return { system, value };
}
