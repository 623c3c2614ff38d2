import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  DICOM_PROFILE_OPTIONS,
  DicomError,
  SAFE_PRIVATE_ATTRIBUTES,
  createClinicalTextDeidentifier,
  createParsedDicomDeidentifier,
  createUidRemapper,
  loadDictionaries,
  parseDeidRecipe,
  readDicom,
  writeDicomChunks,
  type BurnedInPolicy,
  type DicomDeidOptions,
  type DicomProfileOption,
  type ReadDicomFileOptions,
  type SafePrivateElement,
  type TextDeidentifier,
} from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { BatchError } from '../deid/batch-error.ts';
import type { FileOutcome, FormatProcessor } from '../deid/batch-runner.ts';
import { runDeidCommand, type DeidCommandOptions, type DeidSetup } from '../deid/deid-command.ts';
import { DICOM_STREAM_BYTES, malformed, quarantined, streamDicomFile } from '../deid/dicom-stream.ts';
import { DicomWebClient } from '../deid/dicomweb-client.ts';
import { loadOrCreateDeidKey } from '../deid/deid-keys.ts';
import { deidRemotely } from '../remote/remote-mode.ts';

export interface DeidDicomOptions extends DeidCommandOptions {
  readonly options?: string;
  readonly burnedIn?: string;
  readonly pixelRegions?: string;
  readonly safePrivate?: string;
  readonly issuer?: string[];
  readonly dicomweb?: string;
  readonly study?: string[];
  readonly query?: string[];
}

const DICOM_FILE = /\.(?:dcm|dicom|dic|ima)$/i;
const CLEAN: DicomProfileOption[] = ['cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];

/** PS3.15 options for the shared profiles: Safe Harbor removes dates, date-shift shifts them, a limited data set keeps them. */
export function dicomOptionsForProfile(profileId: string): DicomProfileOption[] {
  if (profileId === 'limited-data-set') return ['retainLongitudinalFullDates', 'retainPatientCharacteristics', ...CLEAN];
  if (profileId === 'date-shift') return ['retainLongitudinalModifiedDates', ...CLEAN];
  return [...CLEAN];
}

function parseOptions(list: string): DicomProfileOption[] {
  const known: readonly string[] = DICOM_PROFILE_OPTIONS;
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!known.includes(s)) throw new BatchError('bad-option', `unknown PS3.15 option; use one of ${known.join(', ')}`, { place: { field: '--options' } });
      return s as DicomProfileOption;
    });
}

function readText(cwd: string, file: string, field: string): string {
  try {
    return readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (cause) {
    throw new BatchError('bad-option', 'the file cannot be read', { cause, place: { file, field } });
  }
}

function parseSafePrivate(text: string): SafePrivateElement[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new BatchError('bad-option', 'the safe-private list must be a JSON array', { place: { field: '--safe-private' } });
  return parsed.map((x: unknown, index) => {
    const o = x as { creator?: unknown; group?: unknown; element?: unknown };
    const group = typeof o.group === 'string' ? Number.parseInt(o.group, 16) : o.group;
    const element = typeof o.element === 'string' ? Number.parseInt(o.element, 16) : o.element;
    if (typeof o.creator !== 'string' || typeof group !== 'number' || typeof element !== 'number' || group % 2 !== 1 || element < 0 || element > 0xff) {
      throw new BatchError('bad-option', 'each safe-private entry is {"creator": "...", "group": "0019", "element": "23"} (odd group, element byte)', { place: { field: '--safe-private', index } });
    }
    return { creator: o.creator, group, element };
  });
}

/**
 * The clinical text engine for Clean Descriptors / Structured Content / Graphics, built on its
 * first text: its name dictionaries are several MB of heap, and many runs (image-only series,
 * multi-frame files) never clean a descriptor.
 */
function lazyClinicalText(): TextDeidentifier {
  let engine: TextDeidentifier | undefined;
  return { deidentify: (request) => (engine ??= createClinicalTextDeidentifier({ mode: 'tags', dictionaries: loadDictionaries() })).deidentify(request) };
}

/** How {@link dicomProcessor} chooses and reads streamed files (tests force the streamed path on small files). */
export interface DicomStreaming {
  /** Files larger than this are streamed (default {@link DICOM_STREAM_BYTES}). */
  readonly streamBytes?: number;
  readonly read?: Omit<ReadDicomFileOptions, 'name'>;
}

/**
 * The DICOM processor for the shared batch runner: quarantine and malformed files are per-file
 * problems. Files above `streamBytes` take the streamed path (header read incrementally, Pixel
 * Data copied from the input file, never held); smaller ones are read whole. Both run the same
 * de-identifier on the same parsed data set and write the same bytes.
 */
export function dicomProcessor(setup: DeidSetup, config: Omit<DicomDeidOptions, 'factory' | 'key' | 'name'>, streaming: DicomStreaming = {}): FormatProcessor {
  // DICOMDIR records point at the output files under their new names (File IDs named like the files).
  const fileIds = setup.namer.naming === 'keep' ? {} : { fileIds: setup.namer.component };
  const deidentify = createParsedDicomDeidentifier({ ...config, ...fileIds, key: setup.key, factory: setup.factory });
  const streamBytes = streaming.streamBytes ?? DICOM_STREAM_BYTES;
  return {
    format: 'dicom',
    // DICOM files in folders often have no extension (IM0001, DICOMDIR).
    accepts: (relative) => {
      const base = path.posix.basename(relative);
      return DICOM_FILE.test(base) || !base.includes('.');
    },
    stream: {
      accepts: (_relative, bytes) => bytes > streamBytes,
      process: (file, relative, sink) => {
        if (file.path === undefined) throw new TypeError('DICOM streaming reads the input file at offsets; give its path');
        return streamDicomFile(deidentify, file.path, relative, sink, streaming.read);
      },
    },
    process(input, relative): FileOutcome {
      try {
        const r = deidentify(readDicom(input, { name: relative }), { fileStart: input.byteOffset, name: relative });
        if (!r.ok) return { ok: false, problem: quarantined(r, relative) };
        return { ok: true, output: Buffer.concat(writeDicomChunks(r.file)), records: 1, tally: r.tally, problems: [] };
      } catch (error) {
        if (error instanceof DicomError) return { ok: false, problem: malformed(error, relative) };
        throw error;
      }
    },
  };
}

/**
 * Fetches the instances of the given (or all matching) studies over DICOMweb into a private
 * staging folder, named by keyed UIDs so no original UID reaches a path (PS3.18 QIDO-RS, WADO-RS).
 */
async function stageFromDicomWeb(url: string, studies: readonly string[], query: readonly string[], setup: { readonly remap: (uid: string) => string }, ctx: CliContext): Promise<string> {
  const client = new DicomWebClient({ baseUrl: url });
  const keys = Object.fromEntries(
    query.map((q) => {
      const eq = q.indexOf('=');
      if (eq <= 0) throw new BatchError('bad-option', '--query takes KEY=VALUE (QIDO-RS attribute matching)', { place: { field: '--query' } });
      return [q.slice(0, eq), q.slice(eq + 1)];
    }),
  );
  const studyUids = studies.length > 0 ? [...studies] : await client.searchStudies(keys);
  const staging = mkdtempSync(path.join(os.tmpdir(), 'phiguard-dicomweb-'));
  let count = 0;
  try {
    for (const study of studyUids) {
      for (const ref of await client.searchInstances(study)) {
        const bytes = await client.retrieveInstance(ref);
        const dir = path.join(staging, setup.remap(ref.studyInstanceUid), setup.remap(ref.seriesInstanceUid));
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(path.join(dir, `${setup.remap(ref.sopInstanceUid)}.dcm`), bytes, { mode: 0o600 });
        count += 1;
      }
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  ctx.stderr.write(`retrieved ${String(count)} instances from ${String(studyUids.length)} studies over DICOMweb\n`);
  return staging;
}

/** The local run of `phiguard deid dicom` (or the remote one with `--server`); registered in deid-dicom-command.ts. */
export async function runDeidDicom(parent: Command, ctx: CliContext, inputs: string[], options: DeidDicomOptions, command: Command): Promise<void> {
  if (await deidRemotely(ctx, command, 'dicom', inputs, options)) return;
  const policy = options.burnedIn ?? 'quarantine';
  if (!['quarantine', 'clean', 'accept'].includes(policy)) throw new BatchError('bad-option', '--burned-in is quarantine, clean or accept', { place: { field: '--burned-in' } });
  const issuerSystems = Object.fromEntries(
    (options.issuer ?? []).map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new BatchError('bad-option', '--issuer takes ISSUER=SYSTEM', { place: { field: '--issuer' } });
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
  const pixelRegions = options.pixelRegions === undefined ? [] : parseDeidRecipe(readText(ctx.cwd, options.pixelRegions, '--pixel-regions'));
  // PS3.15 Table E.3.10-1, plus the site's own list.
  const safePrivate = [...SAFE_PRIVATE_ATTRIBUTES, ...(options.safePrivate === undefined ? [] : parseSafePrivate(readText(ctx.cwd, options.safePrivate, '--safe-private')))];
  const explicit = options.options === undefined ? undefined : parseOptions(options.options);
  const text = lazyClinicalText();
  const root = parent.parent ?? parent;
  let staging: string | undefined;
  try {
    const makeProcessor = (setup: DeidSetup): FormatProcessor =>
      dicomProcessor(setup, {
        options: explicit ?? dicomOptionsForProfile(setup.profile.profile.id),
        text,
        burnedIn: policy as BurnedInPolicy,
        pixelRegions,
        safePrivate,
        identity: { issuerSystems },
      });
    if (options.dicomweb !== undefined) {
      if (inputs.length > 0) throw new BatchError('bad-option', 'give input files or --dicomweb, not both', { place: { field: '--dicomweb' } });
      // Staged names are keyed UIDs, so the same key file as the run itself (runDeidCommand) is loaded here.
      const home = ctx.config(root.opts<{ config?: string }>().config).home;
      const keyFile = options.keyFile === undefined ? path.join(home, 'deid.key') : path.resolve(ctx.cwd, options.keyFile);
      const { key } = loadOrCreateDeidKey(keyFile, options.keyFile === undefined);
      staging = await stageFromDicomWeb(options.dicomweb, options.study ?? [], options.query ?? [], { remap: createUidRemapper(key) }, ctx);
    }
    await runDeidCommand(ctx, root, staging === undefined ? inputs : [staging], options, makeProcessor);
  } finally {
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
  }
}
