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
  // The JSON path is built only for a removed modifier extension (rare): a chain of steps.
  interface Step { readonly parent: Step | undefined; readonly key: string | number }
  const pathOf = (step: Step | undefined): string => {
    let out = '';
    for (let s = step; s !== undefined; s = s.parent) out = typeof s.key === 'number' ? `[${String(s.key)}]${out}` : `${s.parent === undefined ? '' : '.'}${s.key}${out}`;
    return out;
  };
  const walk = (value: unknown, path: Step | undefined, top: boolean): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) walk(value[i], { parent: path, key: i }, false);
      return;
    }
    if (!isJsonObject(value) || (!top && typeof value.resourceType === 'string')) return;
    for (const prop of ['extension', 'modifierExtension'] as const) {
      const list = value[prop];
      if (!Array.isArray(list)) continue;
      const keep = list.filter((e) => isJsonObject(e) && typeof e.url === 'string' && kept.has(e.url));
      if (keep.length !== list.length) {
        removed += list.length - keep.length;
        if (prop === 'modifierExtension') {
          const at = pathOf(path);
          modifierPaths.push(at === '' ? `.${prop}` : `${at}.${prop}`);
        }
        if (keep.length === 0) Reflect.deleteProperty(value, prop);
        else value[prop] = keep;
      }
    }
    for (const k in value) {
      if (k === 'extension' || k === 'modifierExtension') continue;
      const v = value[k];
      if (typeof v === 'object' && v !== null) walk(v, { parent: path, key: k }, false);
    }
  };
  walk(resource, undefined, true);
  return { removed, modifierPaths };
}
