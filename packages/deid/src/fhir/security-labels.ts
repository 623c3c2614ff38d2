import type { JsonObject } from './element-tree.ts';
import { isJsonObject } from './element-tree.ts';
import type { FhirOperation } from './rule-methods.ts';

const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';

interface Coding {
  readonly system?: string;
  readonly code: string;
  readonly display: string;
}

// The Microsoft tool's labels (SecurityLabels.cs), in its order; only the first three are v3 codes.
const MSFT: readonly (readonly [FhirOperation, Coding])[] = [
  ['redact', { system: V3, code: 'REDACTED', display: 'redacted' }],
  ['abstract', { system: V3, code: 'ABSTRED', display: 'abstracted' }],
  ['cryptoHash', { system: V3, code: 'CRYTOHASH', display: 'cryptographic hash function' }],
  ['encrypt', { code: 'ENCRYPT', display: 'exact value is transformed into ciphertext' }],
  ['perturb', { code: 'PERTURBED', display: 'exact value is replaced with another exact value' }],
  ['substitute', { code: 'SUBSTITUTED', display: 'exact value is replaced with a predefined value' }],
  ['generalize', { code: 'GENERALIZED', display: 'exact value is replaced with a general value' }],
];

const REDACTED: Coding = { system: V3, code: 'REDACTED', display: 'redacted' };
const PSEUDED: Coding = { system: V3, code: 'PSEUDED', display: 'pseudonymized' };
const ABSTRED: Coding = { system: V3, code: 'ABSTRED', display: 'abstracted' };

/** Which labels: the Microsoft tool's, or ours (HL7 v3 ObservationValue REDACTED, ABSTRED, PSEUDED only). */
export type SecurityLabelStyle = 'msft' | 'phiguard';

function labelsFor(ops: ReadonlySet<FhirOperation>, style: SecurityLabelStyle): Coding[] {
  if (style === 'msft') return MSFT.filter(([op]) => ops.has(op)).map(([, c]) => c);
  const out: Coding[] = [];
  if (ops.has('redact') || ops.has('text') || ops.has('substitute') || ops.has('generalize')) out.push(REDACTED);
  if (ops.has('abstract')) out.push(ABSTRED);
  if (ops.has('pseudonymize') || ops.has('perturb') || ops.has('cryptoHash') || ops.has('encrypt')) out.push(PSEUDED);
  return out;
}

/**
 * Adds `meta.security` labels for what was done (FHIR R4 §8.9.4 security labels, HL7 v3
 * ObservationValue "de-identification" codes), keeping labels already present. A resource without
 * `meta` gets one after `resourceType` and `id`, where FHIR JSON puts it: in place (the object's
 * keys re-added in order) or, with `inPlace` false, in a new object that is returned (deleting
 * every key turns a V8 object into a slow dictionary; the caller puts the copy where the resource was).
 */
export function addSecurityLabels(resource: JsonObject, ops: ReadonlySet<FhirOperation>, style: SecurityLabelStyle, inPlace = true): JsonObject {
  const labels = labelsFor(ops, style);
  if (labels.length === 0) return resource;
  const meta: JsonObject = isJsonObject(resource.meta) ? resource.meta : {};
  const security: unknown[] = Array.isArray(meta.security) ? (meta.security as unknown[]) : [];
  for (const label of labels) {
    const present = security.some((s) => isJsonObject(s) && typeof s.code === 'string' && s.code.toUpperCase() === label.code);
    if (!present) security.push({ ...label });
  }
  meta.security = security;
  if (resource.meta !== undefined) return resource;
  const entries = Object.entries(resource);
  const out: JsonObject = inPlace ? resource : {};
  if (inPlace) for (const k of Object.keys(resource)) Reflect.deleteProperty(resource, k);
  let placed = false;
  for (const [k, v] of entries) {
    if (!placed && k !== 'resourceType' && k !== 'id') {
      out.meta = meta;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out.meta = meta;
  return out;
}
