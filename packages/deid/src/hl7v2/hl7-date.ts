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

/**
 * {@link hl7DateToIso} by hand, without its regular expressions (the hot path: every date field).
 * Same result for every input (hl7-date.test.ts checks it against the regex form with fast-check).
 */
export function hl7DateToIsoScan(value: string): { iso: string; tail: string } | undefined {
  const p = hl7DateEnd(value);
  if (p < 0) return undefined;
  return { iso: isoOfHl7Date(value, p), tail: p < value.length ? value.slice(p) : '' };
}

/**
 * Where the date part of an HL7 date ends (4, 6 or 8: the time tail starts there), or -1 when
 * {@link hl7DateToIso} would refuse the value. Allocates nothing.
 */
export function hl7DateEnd(value: string): number {
  const n = value.length;
  if (n < 4 || !digitAt(value, 0) || !digitAt(value, 1) || !digitAt(value, 2) || !digitAt(value, 3)) return -1;
  let p = 4;
  let day = false;
  if (digitAt(value, 4) && digitAt(value, 5)) {
    p = 6;
    if (digitAt(value, 6) && digitAt(value, 7)) {
      day = true;
      p = 8;
    }
  }
  if (p < n) {
    const c = value.charCodeAt(p);
    if (!day && c !== 43 && c !== 45) return -1;
    if (!isTimeTail(value, p)) return -1;
  }
  return p;
}

/** The ISO date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) of a value whose date part ends at `p` ({@link hl7DateEnd}). */
export function isoOfHl7Date(value: string, p: number): string {
  return p === 4 ? value.slice(0, 4) : p === 6 ? `${value.slice(0, 4)}-${value.slice(4, 6)}` : `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

/** `HH[MM[SS[.S{1,4}]]][+/-ZZZZ]` from `p` to the end (the TIME_TAIL pattern). */
function isTimeTail(v: string, p: number): boolean {
  let q = p;
  let pairs = 0;
  while (pairs < 3 && digitAt(v, q) && digitAt(v, q + 1)) {
    q += 2;
    pairs += 1;
  }
  if (pairs === 3 && v.charCodeAt(q) === 46 && digitAt(v, q + 1)) {
    let k = q + 1;
    while (k < q + 5 && digitAt(v, k)) k += 1;
    q = k;
  }
  if (q === v.length) return true;
  const c = v.charCodeAt(q);
  return (c === 43 || c === 45) && q + 5 === v.length && digitAt(v, q + 1) && digitAt(v, q + 2) && digitAt(v, q + 3) && digitAt(v, q + 4);
}

function digitAt(v: string, i: number): boolean {
  const c = v.charCodeAt(i);
  return c >= 48 && c <= 57;
}
