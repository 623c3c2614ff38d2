import type { DeidProfile } from '../profiles/deid-profile.ts';
import type { FhirPathRule } from './fhir-rule.ts';

/** The kind of `Coding.display`: a name category, checked against the patient's known identifiers only. */
export const CODE_DISPLAY_KIND = 'name.code-display';
/**
 * The kind of a coded element kept for its codes (`Identifier.type`, `Meta.tag`, `Meta.security`):
 * codes and systems stay, but a display and a CodeableConcept's text inside are treated as
 * everywhere else (a code-less display or a typed text goes through the text engine).
 */
export const CODED_KIND = 'coded';
/**
 * The kind of a DICOM UID in FHIR (`ImagingStudy.series.uid`, an Identifier of system
 * `urn:dicom:uid`): an `other-id` that, when the profile pseudonymizes other ids, gets the same
 * keyed `2.25.` UID the DICOM de-identifier gives it, so the FHIR study still names its images.
 */
export const DICOM_UID_KIND = 'other-id.dicom-uid';
/**
 * The kind of a number that may be an observed age (a Quantity's value, an integer): kept, unless
 * it is the value of an Observation whose code says it is an age (observation-age.ts); then the
 * profile's `date.age` method applies (over 89: 90 and `>=`).
 */
export const OBSERVED_AGE_KIND = 'date.observed-age';
/**
 * The kind of `SampledData.data` (a waveform: decimals, `E`, `L`, `U` separated by spaces, R4
 * §2.24.0.17): kept when it has that grammar, removed otherwise. Through the text engine its
 * number runs read as phone numbers and the signal was lost.
 */
export const SAMPLED_DATA_KIND = 'other-id.sampled-data';
/** The kind of a `uri`, `oid` or `uuid` element: a URL or an id where it holds a value about the patient (fhir-uri-values.ts), else kept. */
export const URI_VALUE_KIND = 'uri-value';

const r = (path: string, method: FhirPathRule['method'], kind?: string): FhirPathRule =>
  kind === undefined ? { path, method } : { path, method, settings: { kind } };

/**
 * Where each kind of identifier sits in R4 resources, as FHIRPath rules in the Microsoft rule
 * grammar (first matching rule wins for a node and its subtree). `kind` rules defer to the
 * profile's method for that value kind (45 CFR §164.514(b)(2)(i)(A)-(R) categories), so one table
 * serves safe-harbor, date-shift and limited-data-set. Order matters: what must be kept comes
 * first, the free-text catch-alls last.
 */
export const FHIR_LOCATION_RULES: readonly FhirPathRule[] = Object.freeze([
  // Linkage: ids and references become pseudonyms through the shared patient context.
  r('Resource.id', 'pseudonymize'),
  r("nodesByType('Reference').reference", 'pseudonymize'),
  r('Bundle.entry.fullUrl', 'pseudonymize'),
  r('Bundle.entry.request.url', 'pseudonymize'),
  r('Bundle.entry.response.location', 'pseudonymize'),
  // Paging and self links hold the search (`Patient?name=...&birthdate=...`); their url is 1..1
  // (R4 Bundle.link), so the whole link goes: an emptied one made the Bundle invalid.
  r('Bundle.link', 'redact'),
  r("nodesByType('Reference').identifier", 'redact'),
  // The parties of a patient's record that may be a relative, a household member or the
  // employer (§164.514(b)(2)(i)(A)): the contact's organization ("Acme Tractor Works",
  // R4 Patient.contact.organization), a policy holder or guarantor (a spouse, an employer), a
  // subscriber, a payee. Their display is a name even without a reference.
  ...[
    'Patient.contact.organization',
    'Patient.link.other',
    'Coverage.policyHolder',
    'Coverage.subscriber',
    'Coverage.beneficiary',
    'Account.guarantor.party',
    'Claim.payee.party',
    'ExplanationOfBenefit.payee.party',
  ].map((party) => r(`${party}.display`, 'kind', 'name')),
  // A display beside a reference repeats the target's name: removed. A display-only reference
  // (often required, e.g. Claim.insurance.coverage) keeps its text minus known identifiers.
  r("nodesByType('Reference').display", 'kind', 'display'),
  // Narratives are removed (R4 §2.4 dom-6 is a guideline only); their data is in the elements.
  r("nodesByType('Narrative')", 'redact'),
  // Metadata: profiles, tags and labels stay; the source URI may name a system.
  r("nodesByType('Meta').source", 'redact'),
  r("nodesByType('Meta').versionId", 'keep'),
  r("nodesByType('Meta').profile", 'keep'),
  r("nodesByType('Meta').security", 'kind', CODED_KIND),
  r("nodesByType('Meta').tag", 'kind', CODED_KIND),
  r("nodesByType('Extension').url", 'keep'),
  // Codes identify nobody. A display is text, though: one holding the patient's own known
  // identifiers (a data-entry slip: "allergy reported by <name>") goes (fhir-deidentifier.ts).
  r("nodesByType('Coding').display", 'kind', CODE_DISPLAY_KIND),
  r("nodesByType('Coding')", 'keep'),
  r("nodesByType('SampledData').data", 'kind', SAMPLED_DATA_KIND),
  r("nodesByType('Quantity').value", 'kind', OBSERVED_AGE_KIND),
  r("nodesByType('Quantity')", 'keep'),
  r("nodesByType('SimpleQuantity')", 'keep'),
  r("nodesByType('Age').value", 'kind', 'date.age'),
  r("nodesByType('Age')", 'keep'),
  // (A) names.
  r("nodesByType('HumanName').use", 'keep'),
  r("nodesByType('HumanName').period", 'kind', 'date'),
  r("nodesByType('HumanName')", 'kind', 'name'),
  // (B) geography: state and country kept, ZIP to 3 digits, the rest by the profile.
  r("nodesByType('Address').use", 'keep'),
  r("nodesByType('Address').type", 'keep'),
  r("nodesByType('Address').state", 'kind', 'geographic.state'),
  r("nodesByType('Address').country", 'kind', 'geographic.country'),
  r("nodesByType('Address').postalCode", 'kind', 'geographic.zip'),
  r("nodesByType('Address').city", 'kind', 'geographic.city'),
  r("nodesByType('Address').district", 'kind', 'geographic.county'),
  r("nodesByType('Address').period", 'kind', 'date'),
  r("nodesByType('Address')", 'kind', 'geographic'),
  r('Location.position', 'kind', 'geographic'),
  // (D)-(F), (N) telecom: the kind follows ContactPoint.system.
  r("nodesByType('ContactPoint').system", 'keep'),
  r("nodesByType('ContactPoint').use", 'keep'),
  r("nodesByType('ContactPoint').rank", 'keep'),
  r("nodesByType('ContactPoint').value", 'kind', 'contact'),
  r("nodesByType('ContactPoint')", 'redact'),
  // (G)-(K), (R) identifiers: the kind follows Identifier.type / system.
  r("nodesByType('Identifier').use", 'keep'),
  r("nodesByType('Identifier').type", 'kind', CODED_KIND),
  r("nodesByType('Identifier').system", 'keep'),
  r("nodesByType('Identifier').value", 'kind', 'identifier'),
  r("nodesByType('Identifier').period", 'kind', 'date'),
  r("nodesByType('Identifier')", 'redact'),
  // (I) and (R) numbers kept in plain strings, not Identifiers: the health plan's member number
  // (R4 Coverage.subscriberId) and prior-authorization numbers of the patient's claims.
  r('Coverage.subscriberId', 'kind', 'health-plan'),
  r('Claim.insurance.preAuthRef', 'kind', 'other-id'),
  r('ClaimResponse.preAuthRef', 'kind', 'other-id'),
  r('ExplanationOfBenefit.preAuthRef', 'kind', 'other-id'),
  r('ExplanationOfBenefit.insurance.preAuthRef', 'kind', 'other-id'),
  // (M) devices.
  r('Device.udiCarrier', 'kind', 'device'),
  r('Device.serialNumber', 'kind', 'device'),
  r('Device.lotNumber', 'kind', 'device'),
  r('Device.distinctIdentifier', 'kind', 'device'),
  // (R) DICOM UIDs of a study's series and instances: replaced as the DICOM de-identifier replaces them.
  r('ImagingStudy.series.uid', 'kind', DICOM_UID_KIND),
  r('ImagingStudy.series.instance.uid', 'kind', DICOM_UID_KIND),
  // (N), (Q) attachments: URLs removed, text/plain content through the text engine, images removed.
  r("nodesByType('Attachment').contentType", 'keep'),
  r("nodesByType('Attachment').language", 'keep'),
  r("nodesByType('Attachment').url", 'kind', 'url'),
  r("nodesByType('Attachment').data", 'text'),
  r("nodesByType('Attachment').title", 'text'),
  r("nodesByType('Attachment').creation", 'kind', 'date'),
  r("nodesByType('Attachment')", 'redact'),
  // A Binary's data is a document (DocumentReference points at it): text/* through the text
  // engine in its own character set, like Attachment.data; any other content removed.
  r('Binary.data', 'text'),
  // Other base64 data: a signature (an image of it, or a digital signature naming its signer),
  // an audit event's query (`Patient?name=...`), a parameter's value. Removed.
  r("nodesByType('base64Binary')", 'redact'),
  // (C) dates.
  r("nodesByType('date')", 'kind', 'date'),
  r("nodesByType('dateTime')", 'kind', 'date'),
  r("nodesByType('instant')", 'kind', 'date'),
  // Free text: notes, descriptions, values; known identifiers of the patient removed.
  r("nodesByType('Annotation').author", 'kind', 'name'),
  r("nodesByType('string')", 'text'),
  r("nodesByType('markdown')", 'text'),
  r("nodesByType('url')", 'kind', 'url'),
  r("nodesByType('uri')", 'kind', URI_VALUE_KIND),
  r("nodesByType('oid')", 'kind', URI_VALUE_KIND),
  r("nodesByType('uuid')", 'kind', URI_VALUE_KIND),
  r("nodesByType('integer')", 'kind', OBSERVED_AGE_KIND),
]);

/** The FHIR rules of a profile: its own `fhirPath` rules first, then the location table. */
export function fhirRulesForProfile(profile: DeidProfile): readonly FhirPathRule[] {
  const own: FhirPathRule[] = [];
  for (const rule of profile.rules) {
    const path = rule.target.fhirPath;
    if (path === undefined) continue;
    own.push({ path, method: 'kind', settings: { method: rule.method, ...(rule.category === undefined ? {} : { category: rule.category }), kind: rule.category ?? 'other-id' } });
  }
  return [...own, ...FHIR_LOCATION_RULES];
}
