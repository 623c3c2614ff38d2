import { type JsonObject, isJsonObject } from './element-tree.ts';

/**
 * Extensions kept by our profiles (their values still go through the rules: birthPlace is an
 * Address, birthTime a dateTime). Every other extension is removed: an unknown extension may hold
 * anything (the geolocation extension, R4 §2.1.27 "geolocation", holds coordinates).
 */
export const KEPT_EXTENSIONS: ReadonlySet<string> = new Set([
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity',
  'http://hl7.org/fhir/StructureDefinition/patient-genderIdentity',
  'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
  'http://hl7.org/fhir/StructureDefinition/patient-birthTime',
  'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
]);

export interface ExtensionRemoval {
  readonly removed: number;
  /** JSON paths of removed modifier extensions (they may change the meaning of what is left). */
  readonly modifierPaths: readonly string[];
}

/**
 * Removes extensions whose URL is not in `kept` from a resource, not entering nested resources
 * (they are prepared on their own). Complex extensions are kept or removed whole.
 */
export function removeUnknownExtensions(resource: JsonObject, kept: ReadonlySet<string> = KEPT_EXTENSIONS): ExtensionRemoval {
  let removed = 0;
  const modifierPaths: string[] = [];
  const walk = (value: unknown, path: string, top: boolean): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, `${path}[${String(i)}]`, false);
      });
      return;
    }
    if (!isJsonObject(value) || (!top && typeof value.resourceType === 'string')) return;
    for (const prop of ['extension', 'modifierExtension'] as const) {
      const list = value[prop];
      if (!Array.isArray(list)) continue;
      const keep = list.filter((e) => isJsonObject(e) && typeof e.url === 'string' && kept.has(e.url));
      if (keep.length !== list.length) {
        removed += list.length - keep.length;
        if (prop === 'modifierExtension') modifierPaths.push(`${path}.${prop}`);
        if (keep.length === 0) Reflect.deleteProperty(value, prop);
        else value[prop] = keep;
      }
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === 'extension' || k === 'modifierExtension') continue;
      walk(v, path === '' ? k : `${path}.${k}`, false);
    }
  };
  walk(resource, '', true);
  return { removed, modifierPaths };
}
