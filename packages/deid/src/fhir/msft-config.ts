import { FhirDeidError } from './fhir-deid-error.ts';
import { FHIR_RULE_METHODS, type FhirPathRule } from './fhir-rule.ts';
import type { FhirRuleParameters } from './rule-methods.ts';
import { isJsonObject } from './element-tree.ts';

/** What to do with a resource a rule fails on (the Microsoft tool's `processingErrors`). */
export type ProcessingErrorsOption = 'raise' | 'keep' | 'skip';

/** A configuration of the Microsoft FHIR Tools for Anonymization, as our engine runs it. */
export interface FhirRuleConfig {
  readonly rules: readonly FhirPathRule[];
  readonly parameters: FhirRuleParameters;
  readonly processingErrors: ProcessingErrorsOption;
}

/** Safe Harbor's restricted 3-digit ZIPs used by the Microsoft sample configurations (2000 Census). */
export const MSFT_DEFAULT_PARAMETERS: FhirRuleParameters = Object.freeze({
  dateShiftKey: '',
  cryptoHashKey: '',
  encryptKey: '',
  enablePartialAgesForRedact: false,
  enablePartialDatesForRedact: false,
  enablePartialZipCodesForRedact: false,
  restrictedZipCodeTabulationAreas: Object.freeze<string[]>([]),
  dateShiftSource: 'key',
});

function bad(message: string, path: string): FhirDeidError {
  return new FhirDeidError('fhir-bad-config', message, { place: { path } });
}

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad('expected a string', path);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw bad('expected true or false', path);
  return v;
}

/**
 * Reads a Microsoft anonymizer configuration (`fhirPathRules`, `parameters`,
 * `processingErrors`; a leading BOM is allowed). Method names are case-insensitive as upstream.
 */
export function parseMsftConfig(input: unknown): FhirRuleConfig {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input.replace(/^\uFEFF/, ''));
    } catch (cause) {
      throw new FhirDeidError('fhir-bad-config', 'the configuration is not JSON', { cause });
    }
  }
  if (!isJsonObject(json)) throw bad('the configuration must be a JSON object', '$');
  const rawRules = json.fhirPathRules ?? [];
  if (!Array.isArray(rawRules)) throw bad('fhirPathRules must be an array', 'fhirPathRules');
  const rules = rawRules.map((r: unknown, i): FhirPathRule => {
    const where = `fhirPathRules[${String(i)}]`;
    if (!isJsonObject(r)) throw bad('a rule must be an object', where);
    const path = str(r.path, `${where}.path`);
    const methodRaw = str(r.method, `${where}.method`);
    const method = FHIR_RULE_METHODS.find((m) => m.toLowerCase() === methodRaw.toLowerCase());
    if (path === '' || method === undefined) throw bad('a rule needs a path and a known method', where);
    const settings: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k !== 'path' && k !== 'method') settings[k] = v;
    if (method === 'substitute' && !('replaceWith' in r)) throw bad('substitute needs replaceWith', where);
    if (method === 'generalize' && !isJsonObject(r.cases)) throw bad('generalize needs cases', where);
    return Object.freeze({ path, method, settings: Object.freeze(settings) });
  });
  const p = isJsonObject(json.parameters) ? json.parameters : {};
  const zips = p.restrictedZipCodeTabulationAreas ?? [];
  if (!Array.isArray(zips) || !zips.every((z): z is string => typeof z === 'string')) {
    throw bad('restrictedZipCodeTabulationAreas must be strings', 'parameters.restrictedZipCodeTabulationAreas');
  }
  const prefix = str(p.dateShiftKeyPrefix, 'parameters.dateShiftKeyPrefix');
  const parameters: FhirRuleParameters = Object.freeze({
    dateShiftKey: str(p.dateShiftKey, 'parameters.dateShiftKey'),
    ...(prefix === '' ? {} : { dateShiftKeyPrefix: prefix }),
    cryptoHashKey: str(p.cryptoHashKey, 'parameters.cryptoHashKey'),
    encryptKey: str(p.encryptKey, 'parameters.encryptKey'),
    enablePartialAgesForRedact: bool(p.enablePartialAgesForRedact, 'parameters.enablePartialAgesForRedact'),
    enablePartialDatesForRedact: bool(p.enablePartialDatesForRedact, 'parameters.enablePartialDatesForRedact'),
    enablePartialZipCodesForRedact: bool(p.enablePartialZipCodesForRedact, 'parameters.enablePartialZipCodesForRedact'),
    restrictedZipCodeTabulationAreas: Object.freeze([...zips]),
    dateShiftSource: 'key',
  });
  const pe = str(json.processingErrors, 'processingErrors').toLowerCase();
  const processingErrors: ProcessingErrorsOption = pe === 'skip' ? 'skip' : pe === 'keep' ? 'keep' : 'raise';
  return Object.freeze({ rules: Object.freeze(rules), parameters, processingErrors });
}
