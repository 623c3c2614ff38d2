import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { FHIR_DATA_URI_ELEMENTS } from './fhir-uri-values.ts';

const path2Type = r4.path2Type as Readonly<Record<string, string | undefined>>;
const URI_TYPES = new Set(['uri', 'oid', 'uuid']);
const uriPaths = Object.entries(path2Type).filter(([, t]) => t !== undefined && URI_TYPES.has(t)).map(([p]) => p);

/**
 * Why each other `uri`, `oid` and `uuid` element of R4 is kept: it names a code system, a type, a
 * definition, a policy or a rule set, not the patient. A new R4 path that fits none fails this
 * test and must be classified (kept here, or listed in FHIR_DATA_URI_ELEMENTS).
 */
const KEPT: readonly (readonly [reason: string, test: RegExp])[] = [
  ['rule set the content follows', /\.implicitRules$/],
  ['code or identifier system', /\.system$|^ConceptMap\.group\.(?:source|target)$|\.dependsOn\.property$/],
  ['resource type of a reference', /^Reference\.type$/],
  ['protocol, guideline or definition followed', /\.instantiatesUri$|\.instantiates$|\.definitionUri$|\.definition$|^ClinicalImpression\.protocol$|^GuidanceResponse\.moduleUri$|\.derivedFromUri$/],
  ['policy or authority', /\.policy$|^Consent\.policy\.(?:authority|uri)$/],
  ['event definition', /\.eventUri$/],
  ['expression or educational material', /^Expression\.reference$|^Immunization\.education\.reference$|^DetectedIssue\.reference$/],
  ['device issuer or jurisdiction (the device rule takes Device.udiCarrier)', /\.udiCarrier\.(?:issuer|jurisdiction)$|^DeviceDefinition\./],
  ['genetic data repository', /^MolecularSequence\.repository\.url$/],
  ['linkage (rewritten or removed by earlier rules)', /^Bundle\.|^Meta\.source$/],
  [
    'conformance and knowledge resources (no patient data)',
    /^(?:ActivityDefinition|CapabilityStatement|ChargeItemDefinition|CodeSystem|CompartmentDefinition|ConceptMap|EffectEvidenceSynthesis|ElementDefinition|EventDefinition|Evidence|EvidenceVariable|ExampleScenario|GraphDefinition|ImplementationGuide|Library|Measure|MessageDefinition|MetadataResource|NamingSystem|OperationDefinition|PlanDefinition|Questionnaire|ResearchDefinition|ResearchElementDefinition|RiskEvidenceSynthesis|SearchParameter|StructureDefinition|StructureMap|TerminologyCapabilities|TestReport|TestScript|ValueSet)\./,
  ],
];

describe('uri, oid and uuid elements (fhir-uri-values.ts)', () => {
  it('names only R4 elements of those types', () => {
    for (const p of FHIR_DATA_URI_ELEMENTS) expect(uriPaths, p).toContain(p);
  });

  it('classifies every such element of R4: a value about the patient, or kept for a stated reason', () => {
    expect(uriPaths.length).toBeGreaterThan(250);
    const unclassified = uriPaths.filter((p) => !FHIR_DATA_URI_ELEMENTS.has(p) && !KEPT.some(([, test]) => test.test(p)));
    expect(unclassified).toEqual([]);
    // And no data element is also kept by a reason (the two lists do not overlap).
    const both = [...FHIR_DATA_URI_ELEMENTS].filter((p) => KEPT.some(([, test]) => test.test(p)));
    expect(both).toEqual([]);
  });
});
