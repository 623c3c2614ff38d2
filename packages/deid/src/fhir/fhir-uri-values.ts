import type { ElementNode } from './element-tree.ts';

/**
 * The `uri`, `oid` and `uuid` elements of R4 that hold a value about the patient rather than a
 * code system, a definition or a rule set (R4 §2.24.0.1 "uri"): a device's network address
 * (`Device.url`, Safe Harbor (N) URLs and (O) IP addresses), an answer or a task's input given as
 * a URI (`https://facebook.com/jane.doe`), an authorization URL, the source of a document set.
 * They take the profile's `url` method (uri) or `other-id` method (oid, uuid). Every other `uri`
 * of R4 is kept: systems (`Coding.system`, `Identifier.system`, `Quantity.system`),
 * `Reference.type`, `implicitRules`, `instantiatesUri` and other definitions, policies, and the
 * canonical URLs of conformance resources; fhir-uri-values.test.ts holds the whole classification.
 * Keys are the element's path as R4 writes it, choice types with their suffix (`valueUri`).
 */
export const FHIR_DATA_URI_ELEMENTS: ReadonlySet<string> = new Set([
  'Device.url',
  'DocumentManifest.source',
  'Contract.url',
  'Contract.term.offer.answer.valueUri',
  'CoverageEligibilityResponse.insurance.item.authorizationUrl',
  'QuestionnaireResponse.item.answer.valueUri',
  'Task.input.valueUri',
  'Task.input.valueOid',
  'Task.input.valueUuid',
  'Task.output.valueUri',
  'Task.output.valueOid',
  'Task.output.valueUuid',
  'Parameters.parameter.valueUri',
  'Parameters.parameter.valueOid',
  'Parameters.parameter.valueUuid',
  'Extension.valueUri',
  'Extension.valueOid',
  'Extension.valueUuid',
]);

/**
 * The value kind of a `uri`, `oid` or `uuid` node: `url` or `other-id` for the elements of
 * {@link FHIR_DATA_URI_ELEMENTS}, undefined (kept) for the others.
 */
export function dataUriKind(node: ElementNode): 'url' | 'other-id' | undefined {
  const owner = node.parent?.childPath;
  if (owner === undefined || !FHIR_DATA_URI_ELEMENTS.has(`${owner}.${node.prop}`)) return undefined;
  return node.type === 'uri' ? 'url' : 'other-id';
}
