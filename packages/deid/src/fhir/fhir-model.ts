import r4 from 'fhirpath/fhir-context/r4';

/**
 * The R4 type model, taken from the `fhirpath` package's R4 context (generated from the FHIR R4
 * StructureDefinitions): what type each element of each resource and datatype has, so a resource
 * can be walked by element type (FHIR R4 §2.1.27 "Datatypes", §3.1 "JSON representation").
 */
export interface ElementInfo {
  /** The element's name without a choice-type suffix (`value` for `valueQuantity`). */
  readonly name: string;
  /** FHIR type: a primitive (`date`, `string`, ...), a datatype (`HumanName`) or `Resource`. */
  readonly type: string;
  /** Where the element's children are defined (`HumanName`, `Patient.contact`); undefined for primitives. */
  readonly childPath: string | undefined;
  readonly primitive: boolean;
  /** Max cardinality `*` (FHIR JSON then always uses an array, R4 §3.1.1.2). */
  readonly repeating: boolean;
  /** A primitive's JSON kind ({@link jsonKindOf}), kept so shape checks need no set look-up; undefined for the others. */
  readonly jsonKind: 'boolean' | 'number' | 'string' | undefined;
}

export const FHIR_PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'boolean', 'integer', 'integer64', 'string', 'decimal', 'uri', 'url', 'canonical', 'base64Binary', 'instant',
  'date', 'dateTime', 'time', 'code', 'oid', 'id', 'markdown', 'unsignedInt', 'positiveInt', 'uuid', 'xhtml',
]);

/** Primitive types written as JSON numbers (R4 §3.1.1.3); `boolean` is a JSON boolean, every other primitive a string. */
export const FHIR_NUMBER_TYPES: ReadonlySet<string> = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);

/** The JSON kind a primitive type is written as (R4 §3.1.1.3 "JSON representation of primitive elements"). */
export function jsonKindOf(primitiveType: string): 'boolean' | 'number' | 'string' {
  return primitiveType === 'boolean' ? 'boolean' : FHIR_NUMBER_TYPES.has(primitiveType) ? 'number' : 'string';
}

const path2Type = r4.path2Type as Readonly<Record<string, string | undefined>>;
const choiceTypePaths = r4.choiceTypePaths as Readonly<Record<string, readonly string[] | undefined>>;
const elsewhere = r4.pathsDefinedElsewhere as Readonly<Record<string, string | undefined>>;
const path2Repeating = r4.path2Repeating as Readonly<Record<string, boolean | undefined>>;
const type2Parent = r4.type2Parent as Readonly<Record<string, string | undefined>>;

/** The R4 model object to hand to `fhirpath.compile` / `evaluate`. */
export const R4_MODEL = r4;

/** True when `name` is an R4 resource type (`Patient`, `Bundle`, ...). */
export function isResourceType(name: string): boolean {
  let t: string | undefined = name;
  for (let i = 0; t !== undefined && i < 4; i++) {
    if (t === 'Resource') return true;
    t = type2Parent[t];
  }
  return false;
}

function normalizeType(raw: string, fullPath: string): string {
  if (raw === 'System.String') {
    const dot = fullPath.indexOf('.');
    if (fullPath.endsWith('.id') && dot === fullPath.length - 3 && isResourceType(fullPath.slice(0, dot))) return 'id';
    return fullPath === 'Extension.url' ? 'uri' : 'string';
  }
  if (raw.startsWith('System.')) return raw.slice(7).toLowerCase();
  return raw;
}

function choiceSuffixType(suffix: string): string {
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return FHIR_PRIMITIVE_TYPES.has(lower) ? lower : suffix;
}

function superPath(path: string): string | undefined {
  if (path.includes('.')) {
    const t = path2Type[path];
    return t === 'BackboneElement' || t === 'Element' ? t : 'Element';
  }
  return type2Parent[path];
}

function info(name: string, type: string, fullPath: string): ElementInfo {
  const primitive = FHIR_PRIMITIVE_TYPES.has(type);
  const childPath = primitive ? undefined : type === 'BackboneElement' || type === 'Element' ? fullPath : type;
  return { name, type, childPath, primitive, repeating: path2Repeating[fullPath] === true, jsonKind: primitive ? jsonKindOf(type) : undefined };
}

function lookup(parentPath: string, prop: string): ElementInfo | undefined {
  for (let p: string | undefined = parentPath; p !== undefined; p = superPath(p)) {
    const full = `${p}.${prop}`;
    const moved = elsewhere[full];
    if (moved !== undefined) return { name: prop, type: 'BackboneElement', childPath: moved, primitive: false, repeating: path2Repeating[full] === true, jsonKind: undefined };
    for (let i = 1; i < prop.length; i++) {
      const c = prop.charCodeAt(i);
      if (c < 65 || c > 90) continue;
      const base = prop.slice(0, i);
      const choices = choiceTypePaths[`${p}.${base}`];
      const suffix = prop.slice(i);
      if (choices?.includes(suffix) === true) return info(base, choiceSuffixType(suffix), `${p}.${base}`);
    }
    const direct = path2Type[full];
    if (direct !== undefined) return info(prop, normalizeType(direct, full), full);
    if (p === 'Element' || p === 'Resource') break;
  }
  return undefined;
}

/** The elements met so far under one parent path, by JSON property name (null: R4 defines none). */
export type ElementTable = Map<string, ElementInfo | null>;

const cache = new Map<string, ElementTable>();

/** The table of `parentPath`, for {@link elementInfoIn}: one look-up per object instead of one per property. */
export function elementTable(parentPath: string): ElementTable {
  let byProp = cache.get(parentPath);
  if (byProp === undefined) {
    byProp = new Map();
    cache.set(parentPath, byProp);
  }
  return byProp;
}

/** {@link elementInfo} in the table of `parentPath` ({@link elementTable}). */
export function elementInfoIn(table: ElementTable, parentPath: string, prop: string): ElementInfo | undefined {
  let found = table.get(prop);
  if (found === undefined) {
    found = lookup(parentPath, prop) ?? null;
    table.set(prop, found);
  }
  return found ?? undefined;
}

/**
 * The element `prop` (a JSON property name, possibly with a choice suffix) of an element whose
 * children are defined at `parentPath`; undefined when R4 defines no such element.
 */
export function elementInfo(parentPath: string, prop: string): ElementInfo | undefined {
  return elementInfoIn(elementTable(parentPath), parentPath, prop);
}
