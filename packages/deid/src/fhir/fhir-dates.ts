/**
 * Date handling of the FHIR rule methods. The patterns are the R4 `date` and `dateTime` regular
 * expressions of FHIR R4 §2.24.0.1 (datatypes.html#date, #dateTime); the age rule is
 * 45 CFR §164.514(b)(2)(i)(C): ages over 89 and dates indicating them are not kept.
 */
const DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?/;
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?/;
const TIME = /([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?/;

export interface DateParts {
  readonly year: string;
  readonly month: string | undefined;
  readonly day: string | undefined;
  /** `T...` with zone, for date-times that have a time. */
  readonly time: string | undefined;
}

/** Splits a FHIR date, dateTime or instant; undefined when it is not one. */
export function parseFhirDate(value: string): DateParts | undefined {
  const m = DATE_TIME.exec(value) ?? DATE.exec(value);
  if (m?.[1] === undefined) return undefined;
  return { year: m[1], month: m[5], day: m[7], time: m[8] };
}

/** True when a person born on this date would now be older than 89 (§164.514(b)(2)(i)(C)). */
export function indicatesAgeOver89(parts: DateParts, now: Date): boolean {
  const year = Number(parts.year);
  const month = parts.month === undefined ? 1 : Number(parts.month);
  const day = parts.day === undefined ? 1 : Number(parts.day);
  const nowMonth = now.getUTCMonth() + 1;
  const before = nowMonth < month || (nowMonth === month && now.getUTCDate() < day);
  return now.getUTCFullYear() - year - (before ? 1 : 0) > 89;
}

/** Adds whole days to a calendar date `YYYY-MM-DD` (proleptic Gregorian, no time zone). */
export function addDays(year: string, month: string, day: string, days: number): string {
  const t = Date.UTC(Number(year), Number(month) - 1, Number(day)) + days * 86_400_000;
  const d = new Date(t);
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) throw new RangeError('shifted date out of range');
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** The time part with every digit of the clock time set to 0, the zone kept (as the Microsoft tool does). */
export function zeroTime(time: string): string {
  return time.replace(TIME, (t) => t.replace(/\d/g, '0'));
}

/**
 * The shift of the Microsoft FHIR anonymizer's `dateShift` (DateTimeUtility.GetDateShiftValue):
 * a fold of the UTF-8 bytes of prefix + key, in [-50, 50] days. Not keyed in the cryptographic
 * sense; used only when a Microsoft configuration asks for it.
 */
export function msftDateShiftDays(prefix: string, key: string): number {
  let offset = 0;
  for (const b of Buffer.from(prefix + key, 'utf8')) offset = (offset * 131 + b) % 101;
  return offset - 50;
}
