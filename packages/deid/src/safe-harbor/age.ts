/**
 * Ages over 89 and the date elements that reveal them, 45 CFR §164.514(b)(2)(i)(C): "all elements
 * of dates (including year) indicative of such age, except that such ages and elements may be
 * aggregated into a single category of age 90 or older".
 */
export const AGE_CAP = 90;

/** An age in years as Safe Harbor allows it: `90+` above 89, else unchanged. */
export function generalizeAge(age: number | string): string {
  const n = typeof age === 'number' ? age : Number.parseFloat(age);
  if (!Number.isFinite(n)) return String(age);
  return n > 89 ? `${String(AGE_CAP)}+` : String(age);
}

/** Whole years between an ISO birth date (at least a year) and an ISO reference date. */
export function ageInYears(birthIso: string, referenceIso: string): number | undefined {
  const b = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(birthIso);
  const r = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(referenceIso);
  if (b === null || r === null) return undefined;
  const [by, bm, bd] = [Number(b[1]), Number(b[2] ?? 1), Number(b[3] ?? 1)];
  const [ry, rm, rd] = [Number(r[1]), Number(r[2] ?? 12), Number(r[3] ?? 31)];
  return ry - by - (rm < bm || (rm === bm && rd < bd) ? 1 : 0);
}

/**
 * True when a patient born on `birthIso` is over 89 at `referenceIso`; their birth date must then
 * be removed or aggregated (`aggregatedBirthYear`).
 */
export function isOver89(birthIso: string, referenceIso: string): boolean {
  const age = ageInYears(birthIso, referenceIso);
  return age !== undefined && age > 89;
}

/** The single aggregated birth year for everyone 90 or older: the reference year minus 90. */
export function aggregatedBirthYear(referenceIso: string): string {
  return String(Number(referenceIso.slice(0, 4)) - AGE_CAP).padStart(4, '0');
}

/** LOINC codes whose observation value is an age: 30525-0 Age, 21612-7 Age Time Patient Reported, 29553-5 Age calculated. */
export const AGE_LOINC_CODES: ReadonlySet<string> = new Set(['30525-0', '21612-7', '29553-5']);
const AGE_WORD = /(?<![\p{L}\p{N}])age(?![\p{L}\p{N}])/iu;
const GESTATIONAL = /gest/iu;

/** Whether a local code or its label names an age (`AGE`, `Patient age`): the word "age", not a gestational age. */
export function namesAnAge(label: string): boolean {
  // Quick reject: "age" in any case holds one of the four spellings of "ge".
  if (!label.includes('ge') && !label.includes('GE') && !label.includes('Ge') && !label.includes('gE')) return false;
  return AGE_WORD.test(label) && !GESTATIONAL.test(label);
}
