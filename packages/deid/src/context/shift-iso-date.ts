import { DeidError } from './deid-error.ts';

// ISO 8601 / FHIR date, dateTime and instant forms (FHIR R4 §2.24.0.1 `date`, `dateTime`, `instant`).
const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$/;
const DAY_MS = 86_400_000;

/**
 * Shifts an ISO 8601 date or date-time by whole days, keeping its precision and form: the time of
 * day and the offset are kept as written. Partial dates shift their middle (a year its 2 July, a
 * month its 15th) and keep the precision, so the sign of the shift cannot be read from them.
 * Throws {@link DeidError} `invalid-date` (no value in the message) for anything else.
 */
export function shiftIsoDate(value: string, days: number): string {
  const m = ISO.exec(value);
  if (m === null) throw new DeidError('invalid-date', 'not an ISO 8601 date or date-time');
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) throw new DeidError('invalid-date', 'month out of range');
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month ?? 1))) throw new DeidError('invalid-date', 'day out of range');
  const base = utc(year, month === undefined ? 7 : month, day ?? (month === undefined ? 2 : 15));
  const shifted = new Date(base + days * DAY_MS);
  const y = shifted.getUTCFullYear();
  if (y < 1 || y > 9999) throw new DeidError('invalid-date', 'shifted date out of the range 0001-9999');
  const yyyy = String(y).padStart(4, '0');
  if (month === undefined) return yyyy;
  const mm = String(shifted.getUTCMonth() + 1).padStart(2, '0');
  if (day === undefined) return `${yyyy}-${mm}`;
  const dd = String(shifted.getUTCDate()).padStart(2, '0');
  return `${yyyy}-${mm}-${dd}${m[4] ?? ''}`;
}

function utc(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month + 1, 1) - DAY_MS).getUTCDate();
}
