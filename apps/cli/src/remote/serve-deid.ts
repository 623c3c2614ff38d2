import path from 'node:path';
import { BUILTIN_PROFILES, builtinProfile, createClinicalTextDeidentifier, createPatientContextFactory, loadDictionaries, SAFE_PRIVATE_ATTRIBUTES } from '@phiguard/deid';
import type { DeidFileAnswer, DeidService } from '@phiguard/server';
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
 * The de-identification behind `phiguard deid <format> --server URL`: the same format processors
 * as the local commands, with the server's key (`<home>/deid.key`, so one patient gets the same
 * pseudonym and date shift whoever sends the file) and the built-in profiles. Processors are
 * built once per format and profile.
 */
export function serveDeid(home: string, ctx: Pick<CliContext, 'stderr'>): DeidService {
  const { key } = loadOrCreateDeidKey(path.join(home, 'deid.key'), true);
  const factory = createPatientContextFactory(key, {});
  const processors = new Map<string, FormatProcessor>();
  const setupFor = (profile: string): DeidSetup => ({ key, factory, profile: builtinProfile(profile) });
  const processorFor = (format: string, profile: string): FormatProcessor => {
    const id = `${format}/${profile}`;
    let processor = processors.get(id);
    if (processor === undefined) {
      const setup = setupFor(profile);
      if (format === 'hl7v2') processor = hl7v2Processor(setup, { referenceDate: new Date().toISOString().slice(0, 10) });
      else if (format === 'text') processor = textProcessor(setup, 'tags', undefined, undefined, undefined);
      else if (format === 'dicom') {
        // PS3.15 Annex E options of the profile; burned-in annotations quarantined (the local default).
        processor = dicomProcessor(setup, {
          options: dicomOptionsForProfile(setup.profile.profile.id), text: createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() }),
          burnedIn: 'quarantine', pixelRegions: [], safePrivate: SAFE_PRIVATE_ATTRIBUTES, identity: { issuerSystems: {} },
        });
      }
      else processor = fhirProcessor(setup, undefined, { out: '', profile, textEngine: 'clinical', patientSystem: [] }, [], ctx as CliContext);
      processors.set(id, processor);
    }
    return processor;
  };
  return {
    formats: REMOTE_DEID_FORMATS,
    profile: (name) => {
      if (!Object.hasOwn(BUILTIN_PROFILES, name)) return undefined;
      const loaded = builtinProfile(name);
      return { id: loaded.profile.id, version: loaded.profile.version, hash: loaded.hash, keyId: key.id };
    },
    async process(format, profile, relative, input): Promise<DeidFileAnswer> {
      const outcome = await processorFor(format, profile).process(input, relative);
      if (!outcome.ok) return { ok: false, problem: { code: outcome.problem.code, message: outcome.problem.message, place: { ...outcome.problem.place } } };
      return {
        ok: true, output: outcome.output, records: outcome.records, tally: outcome.tally.entries(),
        problems: outcome.problems.map((p) => ({ code: p.code, message: p.message, place: { ...p.place } })),
      };
    },
  };
}
