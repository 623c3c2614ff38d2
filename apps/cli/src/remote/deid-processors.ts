import path from 'node:path';
import { builtinProfile, createClinicalTextDeidentifier, createPatientContextFactory, loadDictionaries, SAFE_PRIVATE_ATTRIBUTES } from '@phiguard/deid';
import { dicomOptionsForProfile, dicomProcessor } from '../commands/deid-dicom.ts';
import { fhirProcessor } from '../commands/deid-fhir.ts';
import { textProcessor } from '../commands/deid-text.ts';
import type { CliContext } from '../context.ts';
import type { FormatProcessor } from '../deid/batch-runner.ts';
import type { DeidSetup } from '../deid/deid-command.ts';
import { loadOrCreateDeidKey } from '../deid/deid-keys.ts';
import { hl7v2Processor } from '../deid/hl7v2-processor.ts';

/** Formats the server de-identifies (with the built-in profiles and each format's default options). */
export const REMOTE_DEID_FORMATS = ['hl7v2', 'fhir', 'text', 'dicom'] as const;

/**
 * The server's format processors: the same ones as the local commands, with the server's key
 * (`<home>/deid.key`, so one patient gets the same pseudonym and date shift whoever sends the
 * file), a built-in profile and each format's default options. Each is built once per format and
 * profile and then kept (the FHIR one remembers the patients it has met, as in one local run).
 */
export function serverProcessors(home: string, stderr: CliContext['stderr']): (format: string, profile: string) => FormatProcessor {
  const { key } = loadOrCreateDeidKey(path.join(home, 'deid.key'), true);
  const factory = createPatientContextFactory(key, {});
  const processors = new Map<string, FormatProcessor>();
  return (format, profile) => {
    const id = `${format}/${profile}`;
    let processor = processors.get(id);
    if (processor === undefined) {
      const setup: DeidSetup = { key, factory, profile: builtinProfile(profile) };
      if (format === 'hl7v2') processor = hl7v2Processor(setup, { referenceDate: new Date().toISOString().slice(0, 10) });
      else if (format === 'text') processor = textProcessor(setup, 'tags', undefined, undefined, undefined);
      else if (format === 'dicom') {
        // PS3.15 Annex E options of the profile; burned-in annotations quarantined (the local default).
        processor = dicomProcessor(setup, {
          options: dicomOptionsForProfile(setup.profile.profile.id), text: createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() }),
          burnedIn: 'quarantine', pixelRegions: [], safePrivate: SAFE_PRIVATE_ATTRIBUTES, identity: { issuerSystems: {} },
        });
      } else if (format === 'fhir') processor = fhirProcessor(setup, undefined, { out: '', profile, textEngine: 'clinical', patientSystem: [] }, [], { stderr } as CliContext);
      else throw new TypeError(`no remote processor for format ${format}`);
      processors.set(id, processor);
    }
    return processor;
  };
}
