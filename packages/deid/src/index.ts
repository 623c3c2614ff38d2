export { SAFE_HARBOR_CATEGORIES, type SafeHarborCategory } from './safe-harbor/categories.ts';
export type { DeidKey, PatientContext, PatientContextFactory, PatientIdentity } from './context/patient-context.ts';
export type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier, TextSpan } from './text/text-deidentifier.ts';
export { DeidError, type DeidErrorCode } from './context/deid-error.ts';
export { DEID_KEY_BYTES, deidKeyFromSecret } from './context/deid-key.ts';
export { normalizeIdentity } from './context/normalize-identity.ts';
export { shiftIsoDate } from './context/shift-iso-date.ts';
export { createPatientContextFactory, type PatientContextOptions } from './context/create-patient-context-factory.ts';
export { KnownIdentifiersTextDeidentifier } from './safe-harbor/known-identifiers-text-deidentifier.ts';
export type { DeidManifest, ManifestFile, ManifestOutput, ManifestProblem, ManifestProfile, ManifestSignature, ManifestSigner, SignedDeidManifest } from './manifest/deid-manifest.ts';
export { DeidManifestBuilder, manifestHash, type DeidManifestStart } from './manifest/deid-manifest-builder.ts';
export { DeidTally, type TallyEntry } from './manifest/deid-tally.ts';
export { ed25519ManifestSigner, signManifest, verifyManifest } from './manifest/sign-manifest.ts';
export { HHS_RESTRICTED_ZIP3_2000, generalizeZip } from './safe-harbor/zip3.ts';
export { AGE_CAP, ageInYears, aggregatedBirthYear, generalizeAge, isOver89 } from './safe-harbor/age.ts';
export type { DeidMethod, DeidMethodKind, DeidProfile, LoadedProfile, ProfileBasis, ProfileRule, RuleTarget, ValueKind } from './profiles/deid-profile.ts';
export { DEID_METHOD_KINDS } from './profiles/deid-profile.ts';
export { BUILTIN_PROFILES, DATE_SHIFT_PROFILE, LIMITED_DATA_SET_PROFILE, SAFE_HARBOR_PROFILE } from './profiles/builtin-profiles.ts';
export { builtinProfile, parseProfile, validateProfile } from './profiles/load-profile.ts';
export type { LinkageTokenizer } from './profiles/linkage-tokenizer.ts';
export { MethodApplier, type MethodApplierOptions, type MethodContext, type MethodResult } from './profiles/method-applier.ts';
export { createClinicalTextDeidentifier, type ClinicalTextDeidentifier, type ClinicalTextDeidentifierOptions } from './text/clinical-text-deidentifier.ts';
export { createRecordTextDeidentifier, type RecordTextDeidentifierOptions } from './text/record-text-deidentifier.ts';
export { loadDictionaries, normalizeToken, type Dictionaries } from './text/dictionaries.ts';
export { SPAN_STRENGTH, mergeSpans, type AsyncSpanDetector, type DetectedSpan, type SpanDetector } from './text/detected-span.ts';
export { createAsyncModelDetector, createModelDetector, type AsyncTokenClassifier, type TokenClassifier, type TokenPrediction, type ModelDetectorOptions } from './text/detectors/model-detector.ts';
export { createOnnxTokenClassifier, type OnnxTokenClassifier, type OnnxTokenClassifierOptions } from './text/detectors/onnx-token-classifier.ts';
export { WordPieceTokenizer, type WordPieceToken } from './text/detectors/wordpiece-tokenizer.ts';
export { categoryTag, type ReplacementMode } from './text/replace/surrogate-writer.ts';
export { parseDateMention, writtenForms, type DateMention } from './text/replace/date-mention.ts';
export { readBrat, writeBrat } from './text/eval/read-brat.ts';
export { readI2b2 } from './text/eval/read-i2b2.ts';
export { readPresidio } from './text/eval/read-presidio.ts';
export { categoryOfLabel } from './text/eval/label-map.ts';
export type { GoldDocument, GoldParse, GoldSpan } from './text/eval/gold-document.ts';
export { ID_CATEGORIES, evaluate, pooledRecall, prf, type CategoryFigures, type EvaluationReport, type Miss, type Prf } from './text/eval/metrics.ts';
export { knownIdentifiersOfPatient, silverSpans } from './text/eval/synthea-silver.ts';
export { notesFromBundle, notesFromNdjson, type SilverNote } from './text/eval/synthea-notes.ts';
export { readDicom, type ReadDicomOptions } from './dicom/read-dicom.ts';
export { writeDicom, writeDicomChunks, type Chunks as DicomChunks } from './dicom/write-dicom.ts';
export type { DicomElement, DicomFile, DicomItem } from './dicom/dataset.ts';
export { DicomError, type DicomErrorCode } from './dicom/dicom-error.ts';
export { createDicomDeidentifier, deidentifyDicom, type DicomDeidOutcome, type DicomDeidentifier } from './dicom/deidentify-dicom.ts';
export type { BurnedInPolicy, DicomDeidOptions, IdentityResolution, SafePrivateElement } from './dicom/deid/dicom-deid-options.ts';
export { PROFILE_OPTIONS as DICOM_PROFILE_OPTIONS, type ProfileOption as DicomProfileOption } from './dicom/profile/profile-row.ts';
export { parseDeidRecipe } from './dicom/burned-in/deid-recipe.ts';
export type { PixelRegionRule } from './dicom/burned-in/pixel-region-rule.ts';
export { syntheticMultiframe, writeSyntheticMultiframe } from './dicom/synthetic-multiframe.ts';
export {
  createDicomFileDeidentifier,
  deidentifyDicomFiles,
  type DicomBatchOptions,
  type DicomFileDeidentifier,
  type DicomFileDeidOptions,
  type DicomFileJob,
  type DicomFileOutcome,
  type DicomFileResult,
} from './dicom/deidentify-dicom-file.ts';
export { closeDicomFile, loadSourceValue, openDicomFile, type OpenDicomFile, type ReadDicomFileOptions } from './dicom/read-dicom-file.ts';
export { createParsedDicomDeidentifier, type ParsedDicomDeidentifier, type ParsedDicomOutcome } from './dicom/deidentify-dicom.ts';
export { writeDicomParts, type Part as DicomPart } from './dicom/write-dicom.ts';
export type { SourceRange as DicomSourceRange } from './dicom/dataset.ts';
export { createUidRemapper } from './dicom/deid/uid-remapper.ts';
export { KEEP_OUTPUT_NAMES, OUTPUT_NAMINGS, createOutputNamer, type OutputNamer, type OutputNaming } from './paths/output-namer.ts';
export { SAFE_PRIVATE_ATTRIBUTES } from './dicom/deid/safe-private-attributes.ts';
export { FhirDeidentifier, type FhirDeidMode, type FhirDeidResult, type FhirDeidentifierOptions, type FhirProblem } from './fhir/fhir-deidentifier.ts';
export { FhirDeidError, type FhirDeidErrorCode } from './fhir/fhir-deid-error.ts';
export { FhirPatientIndex, fhirKnownIdentifiers, fhirPatientIdentity, FHIR_PATIENT_ID_SYSTEM, type FhirPatientEntry } from './fhir/fhir-patient-index.ts';
export { parseMsftConfig, type FhirRuleConfig, type ProcessingErrorsOption } from './fhir/msft-config.ts';
export { FHIR_RULE_METHODS, type FhirPathRule, type FhirRuleMethod } from './fhir/fhir-rule.ts';
export { FHIR_LOCATION_RULES, fhirRulesForProfile } from './fhir/fhir-profile-rules.ts';
export { deidentifyNdjson, deidentifyNdjsonStream, ndjsonLines, ndjsonLinesFromChunks, registerNdjsonPatients, toNdjson, type NdjsonLine, type NdjsonOutcome } from './fhir/ndjson.ts';
export { BundleEntryScanner, type BundlePiece } from './fhir/bundle-entry-scanner.ts';
export { deidentifyBundleStream, registerBundlePatientsStream, type BundleStreamOutcome } from './fhir/bundle-stream.ts';
export { parseFhirJson } from './fhir/parse-fhir-json.ts';
export { collectIdentifyingValues, findLeaks } from './fhir/fhir-leak-check.ts';
export { DEFAULT_ENCODING, readEncoding, type Hl7Encoding } from './hl7v2/hl7-encoding.ts';
export { decodeHl7Bytes, encodeHl7Bytes, sniffHl7Utf16, type Hl7Charset } from './hl7v2/hl7-bytes.ts';
export { decodeTextBytes, encodeTextBytes, type DecodedText, type TextEncodingName } from './text/text-bytes.ts';
export { decodeHl7Text, encodeHl7Text } from './hl7v2/hl7-escape.ts';
export { joinHl7Lines, splitHl7Lines, type Hl7Line } from './hl7v2/hl7-lines.ts';
export { isHeader, joinSegmentFields, parseField, segmentFields, serializeField, type Hl7Field } from './hl7v2/hl7-structure.ts';
export { parseHl7Document, serializeHl7Document, type Hl7Document, type Hl7MessageSpan } from './hl7v2/hl7-document.ts';
export { HL7_SAFE_HARBOR_TABLE, HL7_SAFE_HARBOR_TABLE_SPEC, type FieldRule } from './hl7v2/hl7-safe-harbor-table.ts';
export type { Hl7IdentityRule } from './hl7v2/hl7-identity.ts';
export { Hl7Deidentifier, type Hl7DeidResult, type Hl7DeidentifierOptions } from './hl7v2/hl7-deidentifier.ts';
