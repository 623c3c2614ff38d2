import type { DeidMethod } from '../profiles/deid-profile.ts';
import { SAFE_HARBOR_CATEGORIES, type SafeHarborCategory } from '../safe-harbor/categories.ts';
import { type ElementNode, type JsonObject, isJsonObject } from './element-tree.ts';
import { DICOM_UID_KIND, URI_VALUE_KIND } from './fhir-profile-rules.ts';
import { dataUriKind } from './fhir-uri-values.ts';
import type { FhirPathRule } from './fhir-rule.ts';
import type { FhirOperation } from './rule-methods.ts';

const CATEGORY_SET: ReadonlySet<string> = new Set(SAFE_HARBOR_CATEGORIES);

/** ContactPoint.system → value kind (§164.514(b)(2)(i)(D)-(F), (N)). */
export function contactKind(contactPoint: JsonObject): string {
  switch (contactPoint.system) {
    case 'fax':
      return 'fax';
    case 'email':
      return 'email';
    case 'url':
      return 'url';
    default:
      return 'phone';
  }
}

/** Identifier type (HL7 v2 table 0203) or well-known system → value kind (§164.514(b)(2)(i)(G)-(K), (R)). */
export function identifierKind(identifier: JsonObject): string {
  const system = typeof identifier.system === 'string' ? identifier.system : '';
  if (system === 'http://hl7.org/fhir/sid/us-ssn') return 'ssn';
  if (system === 'http://hl7.org/fhir/sid/us-npi') return 'license';
  if (system === 'urn:dicom:uid') return DICOM_UID_KIND;
  const type = identifier.type;
  const codes = isJsonObject(type) && Array.isArray(type.coding) ? type.coding.filter(isJsonObject).map((c) => c.code) : [];
  if (codes.includes('SS') || codes.includes('SB')) return 'ssn';
  if (codes.includes('MR') || codes.includes('MRT')) return 'mrn';
  if (codes.includes('DL') || codes.includes('LN') || codes.includes('NPI') || codes.includes('PRN')) return 'license';
  if (codes.includes('MB') || codes.includes('MA') || codes.includes('MC') || codes.includes('SN')) return 'health-plan';
  if (codes.includes('AN') || codes.includes('ACSN')) return 'account';
  return 'other-id';
}

/** What a profile method did, for the security labels. */
export function operationOf(method: DeidMethod): FhirOperation | undefined {
  switch (method.kind) {
    case 'keep':
      return undefined;
    case 'redact':
    case 'substitute':
      return 'redact';
    case 'generalize':
      return 'abstract';
    case 'text':
      return 'text';
    case 'dateShift':
    case 'pseudonym':
    case 'cryptoHash':
    case 'encrypt':
    case 'perturb':
      return 'pseudonymize';
  }
}

const TYPE_CATEGORY: Readonly<Record<string, SafeHarborCategory>> = {
  HumanName: 'name', Address: 'geographic', ContactPoint: 'phone', Identifier: 'other-id', Attachment: 'url',
  date: 'date', dateTime: 'date', instant: 'date', Age: 'date', Reference: 'other-id', Narrative: 'name',
};

/** Per rule: the category its kind alone gives, or null when the node decides (counted per change: hot). */
const BY_KIND = new WeakMap<FhirPathRule, SafeHarborCategory | null>();

function kindCategory(rule: FhirPathRule): SafeHarborCategory | null {
  let c = BY_KIND.get(rule);
  if (c === undefined) {
    const kind = rule.settings?.kind;
    const base = typeof kind === 'string' ? (kind.split('.')[0] ?? '') : '';
    c = CATEGORY_SET.has(base) ? (base as SafeHarborCategory) : null;
    BY_KIND.set(rule, c);
  }
  return c;
}

/** The Safe Harbor category counted for a change, from the rule's kind or the element's type. */
export function categoryOf(node: ElementNode, rule: FhirPathRule): SafeHarborCategory {
  const byKind = kindCategory(rule);
  if (byKind !== null) return byKind;
  const kind = rule.settings?.kind;
  if (kind === 'contact') return contactKind(node.holder) as SafeHarborCategory;
  if (kind === 'identifier') return identifierKind(node.holder).split('.')[0] as SafeHarborCategory;
  if (kind === URI_VALUE_KIND) return dataUriKind(node) ?? 'other-id';
  for (let n: ElementNode | undefined = node; n !== undefined; n = n.parent) {
    const c = TYPE_CATEGORY[n.type];
    if (c !== undefined) return c;
  }
  return 'other-id';
}

/**
 * A manifest rule id for a FHIRPath rule (a short token: letters, digits, `. _ : / - [ ] *`):
 * `fhir.<method>:<path>` with `nodesByType('X')` written `type[X]`, other characters as `_`.
 */
export function fhirRuleId(rule: FhirPathRule): string {
  const path = rule.path
    .replace(/nodesByType\(['"]([A-Za-z0-9]+)['"]\)/g, 'type[$1]')
    .replace(/nodesByName\(['"]([A-Za-z0-9]+)['"]\)/g, 'name[$1]')
    .replace(/[^A-Za-z0-9._:/\-[\]*]/g, '_');
  return `fhir.${rule.method}:${path}`.slice(0, 128);
}
