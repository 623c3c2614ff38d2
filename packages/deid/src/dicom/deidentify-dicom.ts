import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { MemoizedTextDeidentifier } from '../text/memoized-text-deidentifier.ts';
import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import { DeidTally } from '../manifest/deid-tally.ts';
import { burnedInRisk } from './burned-in/burned-in-risk.ts';
import { cleanPixelRegions } from './burned-in/clean-pixels.ts';
import { ruleMatches } from './burned-in/deid-recipe.ts';
import { headerLookup } from './burned-in/header-keywords.ts';
import { parseCharset } from './charset.ts';
import type { DicomElement, DicomFile } from './dataset.ts';
import { createActionTable } from './deid/action-table.ts';
import { deidMethodElements } from './deid/deid-method.ts';
import type { DicomDeidOptions } from './deid/dicom-deid-options.ts';
import type { ProfileOption } from './profile/profile-row.ts';
import { deidentifyElements, type WalkContext } from './deid/deidentify-elements.ts';
import { collectKnownIdentifiers, patientWordsOf, type PatientWords } from './deid/known-identifiers.ts';
import { resolvePatientIdentity } from './deid/resolve-patient.ts';
import { createUidRemapper } from './deid/uid-remapper.ts';
import { SAFE_PRIVATE_ATTRIBUTES, safePrivateSet } from './deid/safe-private-attributes.ts';
import { readDicom } from './read-dicom.ts';
import { conformDirectoryRecords, directoryPatients, fixDirectoryOffsets, isDicomdir, renameReferencedFiles } from './dicomdir.ts';
import { PIXEL_DATA } from './tag.ts';
import { asciiElement, asciiOf, textOf } from './values.ts';
import { writeDicomChunks, type Chunks } from './write-dicom.ts';

export type DicomDeidOutcome =
  | {
      readonly ok: true;
      readonly file: DicomFile;
      /** The output as chunks; unchanged pixel data is the input's own bytes. */
      readonly chunks: Chunks;
      readonly tally: DeidTally;
      readonly pixelsCleaned: boolean;
    }
  | {
      readonly ok: false;
      /** Quarantined: the pixels may show identifying text and could not be cleaned (PS3.15 §E.3.1). */
      readonly reason: 'burned-in-annotation';
      readonly detail: 'marked-yes' | 'sop-class' | 'modality' | 'screen-save';
    };

const PHIGUARD_IMPLEMENTATION_UID = '2.25.190698457218349187934532785630298214517';
const IMPLEMENTATION = [asciiElement(0x00020012, 'UI', PHIGUARD_IMPLEMENTATION_UID), asciiElement(0x00020013, 'SH', 'PHIGUARD')];
/**
 * File Meta elements kept (PS3.10 §7.1): group length, version, SOP class and instance (remapped),
 * transfer syntax. Implementation Class UID and Version Name become PHIGuard's (the writer of the
 * file); every other meta element (AE titles, presentation addresses, private information, RTV
 * elements, anything newer or unknown) is dropped, whatever it holds.
 */
const META_KEEP = new Set([0x00020000, 0x00020001, 0x00020002, 0x00020003, 0x00020010]);

/** Universal Entity ID and its type from the Issuer of Patient ID Qualifiers Sequence (0010,0024). */
function universalIssuer(dataset: readonly DicomElement[]): { id: string | undefined; type: string | undefined } | undefined {
  const item = dataset.find((e) => e.tag === 0x00100024)?.items?.[0];
  if (item === undefined) return undefined;
  return { id: asciiOf(item.elements.find((e) => e.tag === 0x00400032)), type: asciiOf(item.elements.find((e) => e.tag === 0x00400033)) };
}

function insertSorted(elements: readonly DicomElement[], added: readonly DicomElement[]): DicomElement[] {
  const replaced = new Set(added.map((e) => e.tag));
  const out = elements.filter((e) => !replaced.has(e.tag));
  for (const a of added) {
    const at = out.findIndex((e) => e.tag > a.tag);
    if (at === -1) out.push(a);
    else out.splice(at, 0, a);
  }
  return out;
}

/**
 * De-identifies one DICOM instance with the Basic Application Level Confidentiality Profile of
 * PS3.15 Annex E (Table E.1-1) and the chosen options; pure (bytes in, chunks out).
 * Patient Name and ID become the patient's pseudonym and dates move by the patient's shift from
 * the shared {@link PatientContextFactory}; UIDs are replaced consistently by keyed `2.25.` UIDs,
 * file meta included; private attributes go unless listed as safe; Pixel Data is never decoded
 * unless it must be cleaned, and is otherwise written as the very same bytes.
 */
export function deidentifyDicom(bytes: Uint8Array, options: DicomDeidOptions): DicomDeidOutcome {
  return createDicomDeidentifier(options)(bytes, options.name);
}

/** A prepared {@link deidentifyDicom}: the profile table, UID key and text port are set up once for many files. */
export type DicomDeidentifier = (bytes: Uint8Array, name?: string) => DicomDeidOutcome;

/** Where a parsed file came from, for {@link ParsedDicomDeidentifier}. */
export interface ParsedSource {
  /** Names the input in error places. */
  readonly name?: string;
  /** Offset of the file's first byte in the buffers its elements are slices of (DICOMDIR record offsets). */
  readonly fileStart: number;
  /** Reads a Pixel Data element left in the file ({@link DicomElement.source}) into memory, for pixel cleaning. */
  readonly loadPixels?: (e: DicomElement) => DicomElement;
}

export type ParsedDicomOutcome = Exclude<DicomDeidOutcome, { ok: true }> | Omit<Extract<DicomDeidOutcome, { ok: true }>, 'chunks'>;

/** {@link DicomDeidentifier} for a file already read (whole, or streamed with Pixel Data left on disk). */
export type ParsedDicomDeidentifier = (input: DicomFile, source: ParsedSource) => ParsedDicomOutcome;

export function createDicomDeidentifier(options: Omit<DicomDeidOptions, 'name'>): DicomDeidentifier {
  const parsed = createParsedDicomDeidentifier(options);
  return (bytes, name) => {
    const r = parsed(readDicom(bytes, name === undefined ? {} : { name }), {
      fileStart: bytes.byteOffset,
      ...(name === undefined ? {} : { name }),
    });
    return r.ok ? { ...r, chunks: writeDicomChunks(r.file) } : r;
  };
}

export function createParsedDicomDeidentifier(options: Omit<DicomDeidOptions, 'name'>): ParsedDicomDeidentifier {
  const opts = options.options ?? [];
  const remapUid = createUidRemapper(options.key);
  const prepared = {
    table: createActionTable(opts),
    options: new Set(opts),
    remapUid,
    // Memoized per patient and known identifiers: a series repeats its descriptors in every instance.
    text: new MemoizedTextDeidentifier(options.text ?? new KnownIdentifiersTextDeidentifier()),
    safePrivate: safePrivateSet(options.safePrivate ?? SAFE_PRIVATE_ATTRIBUTES),
    // The same for every file of a run (elements are immutable): built once per variant.
    methodElements: memoMethodElements(opts),
  };
  return (input, source) => deidentifyOne(input, source, options, opts, prepared);
}

function memoMethodElements(opts: readonly ProfileOption[]): (pixelsCleaned: boolean) => readonly DicomElement[] {
  const plain = deidMethodElements(opts, false);
  const cleaned = deidMethodElements(opts, true);
  return (pixelsCleaned) => (pixelsCleaned ? cleaned : plain);
}

type Prepared = Omit<WalkContext, 'patient' | 'known' | 'patientWords' | 'tally' | 'forceUtf8' | 'needsUtf8'> & {
  readonly methodElements: (pixelsCleaned: boolean) => readonly DicomElement[];
};

function deidentifyOne(
  input: DicomFile,
  source: ParsedSource,
  options: Omit<DicomDeidOptions, 'name'>,
  opts: readonly ProfileOption[],
  prepared: Prepared,
): ParsedDicomOutcome {
  const remapUid = prepared.remapUid;
  let dataset = input.dataset;
  const charset = parseCharset(asciiOf(dataset.find((e) => e.tag === 0x00080005)));

  // Burned-in annotation (PS3.15 §E.3.1): quarantine, clean known regions, or accept on review.
  let pixels: DicomElement | undefined;
  const risk = burnedInRisk(dataset);
  const policy = options.burnedIn ?? 'quarantine';
  if (risk.risky && policy !== 'accept') {
    const lookup = headerLookup(dataset, input.encoding.littleEndian);
    const rules = policy === 'clean' ? (options.pixelRegions ?? []).filter((r) => ruleMatches(r, lookup)) : [];
    // Cleaning needs the pixels in memory: a streamed Pixel Data element is read now.
    const load = source.loadPixels;
    if (rules.length > 0 && load !== undefined)
      dataset = dataset.map((e) => (e.tag === PIXEL_DATA && e.source !== undefined ? load(e) : e));
    const native = dataset.find((e) => e.tag === PIXEL_DATA)?.value !== undefined;
    if (rules.length > 0 && native) {
      pixels = cleanPixelRegions(
        dataset,
        input.encoding.littleEndian,
        rules.flatMap((r) => r.regions),
      );
    }
    if (pixels === undefined) return { ok: false, reason: 'burned-in-annotation', detail: risk.reason };
  }

  const identity = resolvePatientIdentity(
    textOf(
      dataset.find((e) => e.tag === 0x00100020),
      charset,
    ),
    textOf(
      dataset.find((e) => e.tag === 0x00100021),
      charset,
    ),
    asciiOf(dataset.find((e) => e.tag === 0x0020000d)),
    options.identity,
    universalIssuer(dataset),
  );
  const directory = isDicomdir(dataset);
  const itemPatients = directory
    ? directoryPatients(input, source.fileStart, (record) =>
        options.factory.forPatient(
          resolvePatientIdentity(
            textOf(
              record.find((e) => e.tag === 0x00100020),
              charset,
            ),
            textOf(
              record.find((e) => e.tag === 0x00100021),
              charset,
            ),
            undefined,
            options.identity,
          ),
        ),
      )
    : undefined;
  let known: KnownIdentifiers | undefined;
  let words: PatientWords | undefined;
  const base = {
    ...prepared,
    patient: options.factory.forPatient(identity),
    known: (): KnownIdentifiers => (known ??= collectKnownIdentifiers(dataset, charset)),
    patientWords: (): PatientWords => (words ??= patientWordsOf(dataset, charset)),
    ...(itemPatients === undefined ? {} : { itemPatients }),
  };
  let ctx: WalkContext = { ...base, tally: new DeidTally(), forceUtf8: false, needsUtf8: false };
  let out = deidentifyElements(dataset, charset, 'normal', ctx);
  if (ctx.needsUtf8) {
    // A cleaned value does not fit the declared character set: re-encode all text in UTF-8 (PS3.3 §C.12.1.1.2).
    ctx = { ...base, tally: new DeidTally(), forceUtf8: true, needsUtf8: false };
    out = insertSorted(deidentifyElements(dataset, charset, 'normal', ctx), [asciiElement(0x00080005, 'CS', 'ISO_IR 192')]);
  }
  const added = [...prepared.methodElements(pixels !== undefined)];
  if (pixels !== undefined) added.push(asciiElement(0x00280301, 'CS', 'NO'), pixels);
  out = insertSorted(out, added);
  if (directory) out = conformDirectoryRecords(out);
  if (directory && options.fileIds !== undefined) out = renameReferencedFiles(out, options.fileIds);

  const sopClass = asciiOf(dataset.find((e) => e.tag === 0x00080016)) ?? '';
  const sopInstance = asciiOf(out.find((e) => e.tag === 0x00080018)) ?? '';
  const retainUids = opts.includes('retainUids');
  const meta =
    input.meta.length > 0
      ? [
          ...input.meta
            .filter((e) => META_KEEP.has(e.tag))
            .map((e) => (e.tag === 0x00020003 && !retainUids ? asciiElement(e.tag, 'UI', remapUid(asciiOf(e) ?? '')) : e)),
          ...IMPLEMENTATION,
        ]
      : [
          // A bare data set becomes a Part 10 file (PS3.10 §7.1).
          { tag: 0x00020000, vr: 'UL' as const, value: new Uint8Array(4), undefinedLength: false, offset: 0 },
          { tag: 0x00020001, vr: 'OB' as const, value: Uint8Array.of(0, 1), undefinedLength: false, offset: 0 },
          asciiElement(0x00020002, 'UI', sopClass),
          asciiElement(0x00020003, 'UI', sopInstance),
          asciiElement(0x00020010, 'UI', input.transferSyntax),
          ...IMPLEMENTATION,
        ];
  const written: DicomFile = {
    // All 128 bytes 00H (PS3.10 §7.1): the input's preamble is application data nobody checked (a
    // TIFF header of a dual-personality file, whose offsets the rewrite breaks, or a vendor's text).
    preamble: new Uint8Array(128),
    meta,
    transferSyntax: input.transferSyntax,
    encoding: input.encoding,
    dataset: out,
    ...(input.deflated === undefined ? {} : { deflated: input.deflated }),
  };
  // DICOMDIR record offsets follow the new layout (PS3.3 §F.3.2.1).
  const file = directory ? fixDirectoryOffsets(input, source.fileStart, written) : written;
  return { ok: true, file, tally: ctx.tally, pixelsCleaned: pixels !== undefined };
}
