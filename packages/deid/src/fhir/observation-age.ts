import { AGE_LOINC_CODES, namesAnAge } from '../safe-harbor/age.ts';
import { type ElementNode, type JsonObject, isJsonObject } from './element-tree.ts';

/** The elements whose `value[x]` an observation code describes. */
const CODED_VALUE_OWNERS: ReadonlySet<string> = new Set(['Observation', 'Observation.component']);

/** Years per unit of an age (UCUM codes and the usual written units); an age without a unit is in years. */
const YEARS_PER_UNIT: Readonly<Record<string, number>> = {
  a: 1, 'a_j': 1, yr: 1, yrs: 1, y: 1, year: 1, years: 1, 'year(s)': 1,
  mo: 1 / 12, 'mo_j': 1 / 12, month: 1 / 12, months: 1 / 12, 'month(s)': 1 / 12,
  wk: 7 / 365.25, week: 7 / 365.25, weeks: 7 / 365.25, d: 1 / 365.25, day: 1 / 365.25, days: 1 / 365.25,
};

/**
 * Whether `valueNode` (the `value[x]` of an Observation or of one of its components) is an age by
 * its code: a LOINC age code (30525-0, 21612-7, 29553-5) or a local code, display or text with the
 * word "age" (`Age at measurement`), not a gestational age, as HL7 v2 OBX-3 is read
 * (docs/deid/hl7v2.md). 45 CFR §164.514(b)(2)(i)(C): such a value over 89 is aggregated.
 */
export function isAgeObservationValue(valueNode: ElementNode): boolean {
  if (valueNode.name !== 'value' || !CODED_VALUE_OWNERS.has(valueNode.parent?.childPath ?? '')) return false;
  const code = valueNode.holder.code;
  if (!isJsonObject(code)) return false;
  if (typeof code.text === 'string' && namesAnAge(code.text)) return true;
  if (!Array.isArray(code.coding)) return false;
  return code.coding.some(
    (c) => isJsonObject(c) && ((typeof c.code === 'string' && (AGE_LOINC_CODES.has(c.code) || namesAnAge(c.code))) || (typeof c.display === 'string' && namesAnAge(c.display))),
  );
}

/** Range elements that hold an age (R4: onset, abatement, age, deceased and performed as a Range). */
const AGE_RANGES: ReadonlySet<string> = new Set([
  'AllergyIntolerance.onset', 'Condition.onset', 'Condition.abatement', 'FamilyMemberHistory.age', 'FamilyMemberHistory.deceased',
  'FamilyMemberHistory.condition.onset', 'Procedure.performed',
]);

/**
 * Where the Quantity `quantityNode` (a node of type Quantity) holds an age: `value` (an
 * Observation's or a component's value whose code is an age), `low` or `high` (a bound of an age
 * Range: an age element of type Range, or an age Observation's valueRange); undefined otherwise.
 */
export function ageQuantityRole(quantityNode: ElementNode): 'value' | 'low' | 'high' | undefined {
  if (quantityNode.name === 'value') return isAgeObservationValue(quantityNode) ? 'value' : undefined;
  if (quantityNode.name !== 'low' && quantityNode.name !== 'high') return undefined;
  const range = quantityNode.parent;
  if (range?.type !== 'Range') return undefined;
  const isAge = AGE_RANGES.has(`${range.parent?.childPath ?? ''}.${range.name}`) || isAgeObservationValue(range);
  return isAge ? quantityNode.name : undefined;
}

/** An age Quantity's value in years (its UCUM code, else its unit), or undefined for a unit that is not a time. */
export function ageInYearsOf(value: number, quantity: JsonObject): number | undefined {
  const unit = typeof quantity.code === 'string' ? quantity.code : typeof quantity.unit === 'string' ? quantity.unit : undefined;
  if (unit === undefined) return value;
  const perUnit = YEARS_PER_UNIT[unit.trim().toLowerCase()];
  return perUnit === undefined ? undefined : value * perUnit;
}

/** An age written as text (`96`, `96 years`, `96 y`): its number in years, else undefined. */
export function ageInYearsOfText(text: string): number | undefined {
  const m = /^\s*(\d{1,3}(?:\.\d+)?)\s*(?:(y|yr|yrs|years?|yo|a)\.?)?\s*(?:old)?\s*$/i.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
