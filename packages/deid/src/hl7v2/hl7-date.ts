/**
 * HL7 v2 dates and times (DT, DTM, and TS component 1; HL7 v2.8 Ch. 2A §2A.2.21 DTM):
 * `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`.
 */
const DTM = /^(\d{4})(\d{2})?(\d{2})?(.*)$/s;
const TIME_TAIL = /^(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,4})?)?)?)?(?:[+-]\d{4})?$/;

/** Splits an HL7 date into its ISO date part (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) and the time tail, or undefined. */
export function hl7DateToIso(value: string): { iso: string; tail: string } | undefined {
  const m = DTM.exec(value);
  if (m === null) return undefined;
  const [, y = '', mo, d, tail = ''] = m;
  if (!TIME_TAIL.test(tail) || (tail !== '' && !/^[+-]/.test(tail) && d === undefined)) return undefined;
  const iso = mo === undefined ? y : d === undefined ? `${y}-${mo}` : `${y}-${mo}-${d}`;
  return { iso, tail };
}

/** Back from an ISO date (as shifted) to the HL7 form, re-attaching the time tail. */
export function isoToHl7Date(iso: string, tail: string): string {
  return iso.replaceAll('-', '') + tail;
}
