import path from 'node:path';
import { builtinProfile, createClinicalTextDeidentifier, KEEP_OUTPUT_NAMES, createPatientContextFactory, FhirPatientIndex, loadDictionaries, SAFE_PRIVATE_ATTRIBUTES } from '@phiguard/deid';
import { dicomOptionsForProfile, dicomProcessor } from '../commands/deid-dicom.ts';
import { fhirProcessor } from '../commands/deid-fhir.ts';
import { textProcessor } from '../commands/deid-text.ts';
import type { CliContext } from '../context.ts';
import type { FormatProcessor } from '../deid/batch-runner.ts';
import type { DeidSetup } from '../deid/deid-command.ts';
import { loadOrCreateDeidKey } from '../deid/deid-keys.ts';
import { hl7v2Processor } from '../deid/hl7v2-processor.ts';

/**
 * References a server's FHIR processor remembers before it starts afresh: a patient is 2-3 of them
 * (`Patient/<id>`, `urn:uuid:<id>`, its fullUrl), so ~200,000 patients, each a few hundred bytes.
 */
export const MAX_REMEMBERED_PATIENT_REFS = 500_000;

/** Formats the server de-identifies (with the built-in profiles and each format's default options). */
export const REMOTE_DEID_FORMATS = ['hl7v2', 'fhir', 'text', 'dicom'] as const;

/**
 * The server's format processors: the same ones as the local commands, with the server's key
 * (`<home>/deid.key`, so one patient gets the same pseudonym and date shift whoever sends the
 * file), a built-in profile and each format's default options. Each is built once per format and
 * profile and then kept. The FHIR one remembers the patients it has met (so a Bulk export sent file
 * by file, Patient first, links), at most `maxPatientRefs` references to them: past that, the next request starts
 * a new processor with an empty index, so a long-running server's memory stays bounded.
 */
export function serverProcessors(home: string, stderr: CliContext['stderr'], maxPatientRefs = MAX_REMEMBERED_PATIENT_REFS): (format: string, profile: string) => FormatProcessor {
  const { key } = loadOrCreateDeidKey(path.join(home, 'deid.key'), true);
  const factory = createPatientContextFactory(key, {});
  const processors = new Map<string, FormatProcessor>();
  const fhirIndexes = new Map<string, FhirPatientIndex>();
  return (format, profile) => {
    const id = `${format}/${profile}`;
    if ((fhirIndexes.get(id)?.size ?? 0) > maxPatientRefs) {
      processors.delete(id);
      fhirIndexes.delete(id);
    }
    let processor = processors.get(id);
    if (processor === undefined) {
      // The client names the output files (remote-deid.ts), so File IDs in a DICOMDIR stay as they are here.
      const setup: DeidSetup = { key, factory, profile: builtinProfile(profile), namer: KEEP_OUTPUT_NAMES };
      if (format === 'hl7v2') processor = hl7v2Processor(setup, { referenceDate: new Date().toISOString().slice(0, 10) });
      else if (format === 'text') processor = textProcessor(setup, 'tags', undefined, undefined, undefined);
      else if (format === 'dicom') {
        // PS3.15 Annex E options of the profile; burned-in annotations quarantined (the local default).
        processor = dicomProcessor(setup, {
          options: dicomOptionsForProfile(setup.profile.profile.id), text: createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() }),
          burnedIn: 'quarantine', pixelRegions: [], safePrivate: SAFE_PRIVATE_ATTRIBUTES, identity: { issuerSystems: {} },
        });
      } else if (format === 'fhir') {
        const index = new FhirPatientIndex(factory, []);
        fhirIndexes.set(id, index);
        processor = fhirProcessor(setup, undefined, { out: '', profile, textEngine: 'clinical', patientSystem: [] }, [], { stderr } as CliContext, index);
      }
      else throw new TypeError(`no remote processor for format ${format}`);
      processors.set(id, processor);
    }
    return processor;
  };
}
