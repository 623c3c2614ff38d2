import type { PatientIdentity } from './patient-context.ts';
import { DeidError } from './deid-error.ts';

/**
 * True when every character of `s` is printable ASCII (U+0021-U+007E): no white space, no control
 * character, no NUL. On such a string NFC is the identity (ASCII is its own normal form, Unicode
 * UAX #15), `trim()` and removing `\s` change nothing, so the normal forms below skip those calls
 * (nearly every real identifier and reference is such a string; normalize-identity.test.ts checks
 * the fast path against the full one).
 */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** The normal form of an identity's system: NFC, trimmed, lower-cased. */
export function normalSystem(system: string): string {
  return (isPrintableAscii(system) ? system : system.normalize('NFC').trim()).toLowerCase();
}

/** The normal form of an identity's value: NFC, all white space removed, upper-cased. */
export function normalValue(value: string): string {
  return (isPrintableAscii(value) ? value : value.normalize('NFC').replace(/\s+/gu, '')).toUpperCase();
}

/**
 * The normal form of an identity (docs/deid/patient-context.md): Unicode NFC, the system trimmed
 * and lower-cased (`MRN`, ` mrn ` and `mrn` are one system), the value trimmed, inner white space
 * removed and upper-cased (identifiers are case-insensitive in practice: `ab-12` = `AB-12`).
 * Dashes and dots are kept: formats must pass the value as the source system issued it.
 */
export function normalizeIdentity(identity: PatientIdentity): PatientIdentity {
  const system = normalSystem(identity.system);
  const value = normalValue(identity.value);
  if (system === '' || value === '') {
    throw new DeidError('invalid-identity', 'a patient identity needs a non-empty system and value', {
      hint: 'check the identity resolution rule (identifier type / assigning authority)',
    });
  }
  if (system.includes('\0') || value.includes('\0')) throw new DeidError('invalid-identity', 'a patient identity may not contain NUL');
  return { system, value };
}
