import type { Place } from '@phiguard/core';
import { type JsonObject, isJsonObject } from './element-tree.ts';
import { FhirDeidError } from './fhir-deid-error.ts';

/**
 * Parses one FHIR JSON text (a resource, a Bundle entry, an NDJSON line). A syntax error becomes
 * a typed error naming the place (file, line, column) and never quoting the text: the parser's own
 * message would quote PHI.
 */
export function parseFhirJson(text: string, place: Place): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const position = e instanceof SyntaxError ? /position (\d+)/.exec(e.message)?.[1] : undefined;
    throw new FhirDeidError('fhir-bad-json', 'the text is not valid JSON', {
      place: position === undefined ? place : { ...place, column: Number(position) + 1 },
      hint: 'fix or remove the record; the other records were processed',
    });
  }
  if (!isJsonObject(value) || typeof value.resourceType !== 'string') {
    throw new FhirDeidError('fhir-not-a-resource', 'the JSON is not a FHIR resource (no resourceType)', { place: { ...place, path: '$.resourceType' } });
  }
  return value;
}
