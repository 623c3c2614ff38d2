import type { PatientIdentity } from '../context/patient-context.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';

/**
 * How PID-3 (and MRG-1) repetitions (CX) become a {@link PatientIdentity}
 * (docs/deid/patient-context.md): the first repetition whose identifier type (CX-5) is in
 * `identifierTypes` and, when set, whose assigning authority (CX-4.1 namespace or CX-4.2
 * universal id) is `assigningAuthority`.
 */
export interface Hl7IdentityRule {
  /**
   * Where the identity is read: PID-3 (default), PID-2 or PID-4 (CX lists, same type rules), or
   * PID-19 (the SSN field; system `ssn` unless `system` says otherwise). The patient's pseudonym
   * always goes into PID-3.
   */
  readonly field?: 'PID-3' | 'PID-2' | 'PID-4' | 'PID-19';
  /** CX-5 type codes, in order of preference. Default `['MR', 'MRN', 'PI', 'PT']`; `SS` would use the SSN. */
  readonly identifierTypes?: readonly string[];
  readonly assigningAuthority?: string;
  /**
   * The identity's system. Default: `urn:oid:` + CX-4.2 when CX-4.3 is `ISO`, else CX-4.1, else
   * the type code. Set the same string in every format's rule to link the formats.
   */
  readonly system?: string;
  /** Take the first non-empty repetition when none matches (default true): a patient still gets one pseudonym. */
  readonly fallbackToFirst?: boolean;
}

export interface ParsedCx {
  readonly value: string;
  readonly type: string;
  readonly namespace: string;
  readonly universalId: string;
  readonly universalIdType: string;
}

export function parseCx(rep: string, enc: Hl7Encoding): ParsedCx {
  const c = rep.split(enc.component);
  const hd = (c[3] ?? '').split(enc.subcomponent);
  const plain = (s: string | undefined): string => decodeHl7Text(s ?? '', enc).text.trim();
  return { value: plain(c[0]), type: plain(c[4]).toUpperCase(), namespace: plain(hd[0]), universalId: plain(hd[1]), universalIdType: plain(hd[2]).toUpperCase() };
}

const DEFAULT_TYPES = ['MR', 'MRN', 'PI', 'PT'];

/** Whether this CX is one the rule resolves as the patient, and the identity it gives. */
export function identityOfCx(cx: ParsedCx, rule: Hl7IdentityRule, loose = false): PatientIdentity | undefined {
  if (cx.value === '') return undefined;
  const types = rule.identifierTypes ?? DEFAULT_TYPES;
  if (!loose && !types.includes(cx.type)) return undefined;
  if (!loose && rule.assigningAuthority !== undefined && rule.assigningAuthority !== cx.namespace && rule.assigningAuthority !== cx.universalId) return undefined;
  const system =
    rule.system ?? (cx.universalId !== '' && cx.universalIdType === 'ISO' ? `urn:oid:${cx.universalId}` : cx.namespace !== '' ? cx.namespace : cx.type !== '' ? cx.type : 'unknown');
  return { system, value: cx.value };
}

/** Resolves the patient from a PID-3 field's repetitions; returns the identity and which repetition gave it. */
export function resolvePatient(field: string, enc: Hl7Encoding, rule: Hl7IdentityRule): ResolvedPatient | undefined {
  return resolveParsedCx(parseCxList(field, enc), rule);
}

export interface ResolvedPatient {
  readonly identity: PatientIdentity;
  readonly repetition: number;
}

/** Every repetition of a CX list, parsed (index i is repetition i). */
export function parseCxList(field: string, enc: Hl7Encoding): ParsedCx[] {
  return field.split(enc.repetition).map((r) => parseCx(r, enc));
}

/** {@link resolvePatient} over repetitions already parsed. */
export function resolveParsedCx(reps: readonly ParsedCx[], rule: Hl7IdentityRule): ResolvedPatient | undefined {
  for (const type of rule.identifierTypes ?? DEFAULT_TYPES) {
    const i = reps.findIndex((cx) => cx.type === type && identityOfCx(cx, rule) !== undefined);
    const identity = i < 0 ? undefined : identityOfCx(reps[i] as ParsedCx, rule);
    if (identity !== undefined) return { identity, repetition: i };
  }
  if (rule.fallbackToFirst === false) return undefined;
  const i = reps.findIndex((cx) => cx.value !== '');
  const identity = i < 0 ? undefined : identityOfCx(reps[i] as ParsedCx, rule, true);
  return identity === undefined ? undefined : { identity, repetition: i };
}

/** Resolves the patient of a PID segment's fields (`fields[n]` is PID-n) under the rule. */
export function resolvePatientFromPid(fields: readonly string[], enc: Hl7Encoding, rule: Hl7IdentityRule): PatientIdentity | undefined {
  const where = rule.field ?? 'PID-3';
  if (where === 'PID-19') {
    const value = decodeHl7Text((fields[19] ?? '').split(enc.component)[0] ?? '', enc).text.trim();
    return value === '' ? undefined : { system: rule.system ?? 'ssn', value };
  }
  return resolvePatient(fields[where === 'PID-2' ? 2 : where === 'PID-4' ? 4 : 3] ?? '', enc, rule)?.identity;
}

/** {@link resolvePatientFromPid} on a PID segment's text: only the field the rule reads is sliced out. */
export function resolvePatientFromPidText(pid: string, enc: Hl7Encoding, rule: Hl7IdentityRule): PatientIdentity | undefined {
  const where = rule.field ?? 'PID-3';
  const n = where === 'PID-19' ? 19 : where === 'PID-2' ? 2 : where === 'PID-4' ? 4 : 3;
  const fields: string[] = [];
  fields[n] = fieldOfSegment(pid, n, enc.field);
  return resolvePatientFromPid(fields, enc, rule);
}

/** Field n of a non-header segment's text ('' when absent). */
export function fieldOfSegment(text: string, n: number, sep: string): string {
  let s = -1;
  for (let k = 0; k < n; k++) {
    s = text.indexOf(sep, s + 1);
    if (s < 0) return '';
  }
  const e = text.indexOf(sep, s + 1);
  return e < 0 ? text.slice(s + 1) : text.slice(s + 1, e);
}
