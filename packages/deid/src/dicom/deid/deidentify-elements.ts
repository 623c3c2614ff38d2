import type { PatientContext } from '../../context/patient-context.ts';
import type { DeidTally } from '../../manifest/deid-tally.ts';
import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';
import type { KnownIdentifiers, TextDeidentifier } from '../../text/text-deidentifier.ts';
import { parseCharset, UTF8_CHARSET, type DicomCharset } from '../charset.ts';
import type { DicomElement, DicomItem } from '../dataset.ts';
import type { ProfileOption } from '../profile/profile-row.ts';
import { isPrivateCreator, isPrivateTag, privateCreatorOf, tagElement, tagGroup, type Tag } from '../tag.ts';
import { asciiElement, asciiOf, textElement, textOf, withValue } from '../values.ts';
import { standardDictionary } from '../dictionary.ts';
import { isTextVr, type Vr } from '../vr.ts';
import type { ActionTable, ResolvedAction } from './action-table.ts';
import { fitsListedVr, safePrivateKey } from './safe-private-attributes.ts';
import { dummyValue } from './dummy-value.ts';
import { mentionsPatient, type PatientWords } from './known-identifiers.ts';

/** How unlisted attributes inside a sequence are treated: as the Basic Profile says, or as dummy or cleaned content. */
type Mode = 'normal' | 'dummy' | 'clean';

export interface WalkContext {
  readonly table: ActionTable;
  readonly options: ReadonlySet<ProfileOption>;
  /** The patient whose pseudonym and date shift apply; DICOMDIR records switch it per PATIENT record. */
  patient: PatientContext;
  /** DICOMDIR: the patient of each directory record (PS3.3 §F.5). */
  readonly itemPatients?: ReadonlyMap<DicomItem, PatientContext>;
  readonly remapUid: (uid: string) => string;
  readonly text: TextDeidentifier | undefined;
  /** The instance's known identifiers for the text port; collected on first use (most values never need them). */
  readonly known: () => KnownIdentifiers;
  /** The patient's name and id words, for attributes Table E.1-1 does not list; collected on first use. */
  readonly patientWords: () => PatientWords;
  /** Keys of the safe private elements ({@link safePrivateKey}), used under Retain Safe Private. */
  readonly safePrivate: ReadonlyMap<string, Vr | undefined>;
  readonly tally: DeidTally;
  /** Re-encode every text value in UTF-8 and declare ISO_IR 192 (second pass, see below). */
  readonly forceUtf8: boolean;
  /** Set when a changed value cannot be encoded in the data set's character set. */
  needsUtf8: boolean;
}

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;
const SPECIFIC_CHARACTER_SET = 0x00080005;
/** Code Value, Coding Scheme Designator/Version, Code Meaning, Long/URN Code Value: coded terminology, not free text. */
const CODE_TAGS = new Set<Tag>([0x00080100, 0x00080102, 0x00080103, 0x00080104, 0x00080119, 0x00080120, 0x0040a040]);
const CODE_MEANING = 0x00080104;
/** Code Value, Long Code Value, URN Code Value: one of them carries the code (PS3.3 §8.8 Table 8.8-1a). */
const CODE_VALUE_TAGS = new Set<Tag>([0x00080100, 0x00080119, 0x00080120]);

/** Whether a code item has a code: a Code Meaning without one is what a person typed, not a code's name. */
function hasCodeValue(elements: readonly DicomElement[]): boolean {
  return elements.some((x) => CODE_VALUE_TAGS.has(x.tag) && (asciiOf(x) ?? '') !== '');
}

/**
 * A Code Meaning with no code beside it (`(0008,0104) Fell at home, found by neighbor ...`, no
 * Code Value): free text, wherever its code item sits. Cleaned by the text engine under Clean
 * Descriptors or in a cleaned sequence, else replaced by a dummy (the item keeps its Type 1 meaning).
 */
function uncodedMeaning(e: DicomElement, charset: DicomCharset, mode: Mode, ctx: WalkContext, rule: string): DicomElement {
  if (mode === 'clean' || (mode === 'normal' && ctx.options.has('cleanDescriptors'))) return clean(e, charset, ctx, rule);
  return withValue(e, dummyValue(e.vr));
}

function categoryOf(e: DicomElement): SafeHarborCategory {
  if (e.tag === PATIENT_ID || e.tag === 0x00101000) return 'mrn';
  if (e.tag === 0x00101040) return 'geographic';
  if (e.tag === 0x00102154) return 'phone';
  if (e.tag === 0x00181000 || e.tag === 0x0018700a) return 'device';
  switch (e.vr) {
    case 'PN':
      return 'name';
    case 'DA':
    case 'DT':
    case 'TM':
      return 'date';
    default:
      return 'other-id';
  }
}

const ruleIds = new Map<string, Map<Tag, string>>();

/** `dicom.GGGGEEEE:A`, the tally rule of an action on a tag; memoised (one string per tag and action, not per element). */
function ruleId(t: Tag, action: string): string {
  let byTag = ruleIds.get(action);
  if (byTag === undefined) {
    byTag = new Map();
    ruleIds.set(action, byTag);
  }
  let id = byTag.get(t);
  if (id === undefined) {
    id = `dicom.${t.toString(16).toUpperCase().padStart(8, '0')}:${action === 'U*' ? 'U' : action}`;
    if (byTag.size < 20_000) byTag.set(t, id);
  }
  return id;
}

/** Shifts every YYYYMMDD of a DA or the date part of a DT by the patient's whole-day shift (PS3.15 §E.3.6). */
function shiftDate(value: string, vr: 'DA' | 'DT', patient: PatientContext): string {
  const shiftOne = (v: string): string => {
    const m = /^(\d{4})(\d{2})?(\d{2})?(.*)$/.exec(v);
    if (m === null) return v;
    const [, y = '', mo, d, rest = ''] = m;
    if (vr === 'DA' && d === undefined) return v;
    const iso = [y, mo, d].filter((x) => x !== undefined).join('-');
    return patient.shiftIsoDate(iso).replace(/-/g, '') + rest;
  };
  return value
    .split('\\')
    .map((v) =>
      vr === 'DA'
        ? v
            .split('-')
            .map((p) => (p === '' ? p : shiftOne(p)))
            .join('-')
        : shiftOne(v),
    )
    .join('\\');
}

function transcoded(e: DicomElement, charset: DicomCharset, ctx: WalkContext): DicomElement {
  if (!ctx.forceUtf8 || !isTextVr(e.vr) || e.value === undefined) return e;
  return withValue(e, Buffer.from(textOf(e, charset) ?? '', 'utf8'));
}

function encodeOrFlag(e: DicomElement, text: string, charset: DicomCharset, ctx: WalkContext): DicomElement {
  const out = textElement(e, text, ctx.forceUtf8 ? UTF8_CHARSET : charset);
  if (out !== undefined) return out;
  ctx.needsUtf8 = true;
  return withValue(e, Buffer.from(text, 'utf8'));
}

function cleanText(e: DicomElement, charset: DicomCharset, ctx: WalkContext, rule: string): DicomElement {
  if (e.vr === 'PN') return withValue(e, dummyValue('PN'));
  if (ctx.text === undefined) return withValue(e, dummyValue(e.vr));
  const original = textOf(e, charset) ?? '';
  // Nothing to find in an empty or blank value (a fifth of the calls on the corpus).
  if (original.trim() === '') return transcoded(e, charset, ctx);
  const result = ctx.text.deidentify({ text: original, patient: ctx.patient, known: ctx.known() });
  for (const span of result.spans) ctx.tally.add(span.category, rule);
  if (result.text === original) return transcoded(e, charset, ctx);
  return encodeOrFlag(e, result.text, charset, ctx);
}

function replaceUids(e: DicomElement): (remap: (uid: string) => string) => DicomElement {
  return (remap) => {
    const v = asciiOf(e);
    if (v === undefined || v === '') return e;
    return asciiElement(
      e.tag,
      e.vr,
      v
        .split('\\')
        .map((u) => (u.trim() === '' ? u : remap(u.trim())))
        .join('\\'),
    );
  };
}

/** Clean (C) of a non-sequence attribute, by VR (PS3.15 §E.1.1: "replace with values of similar meaning"). */
function clean(e: DicomElement, charset: DicomCharset, ctx: WalkContext, rule: string): DicomElement {
  if (e.vr === 'DA' || e.vr === 'DT') {
    if (!ctx.options.has('retainLongitudinalModifiedDates')) return withValue(e, dummyValue(e.vr));
    const v = asciiOf(e);
    return v === undefined || v === '' ? e : asciiElement(e.tag, e.vr, shiftDate(v, e.vr, ctx.patient));
  }
  // Whole-day shifts leave times of day unchanged (PS3.15 §E.3.6 allows any consistent modification).
  if (e.vr === 'TM') return ctx.options.has('retainLongitudinalModifiedDates') ? e : withValue(e, dummyValue('TM'));
  if (e.vr === 'UI') return replaceUids(e)(ctx.remapUid);
  if (isTextVr(e.vr)) return cleanText(e, charset, ctx, rule);
  // Binary data to clean (Overlay Data, Curve Data under Clean Graphics): all bits cleared, same
  // length, so the bitmap keeps its declared size and no burned-in mark survives (PS3.15 §E.3.3).
  if (e.value !== undefined && ['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN'].includes(e.vr))
    return withValue(e, new Uint8Array(e.value.byteLength));
  return withValue(e, dummyValue(e.vr));
}

function walkItems(e: DicomElement, charset: DicomCharset, mode: Mode, ctx: WalkContext): DicomElement {
  if (e.items === undefined) return e;
  const items: DicomItem[] = [];
  let changed = 0;
  for (const item of e.items) {
    const outer = ctx.patient;
    ctx.patient = ctx.itemPatients?.get(item) ?? outer;
    const elements = deidentifyElements(item.elements, charset, mode, ctx);
    ctx.patient = outer;
    const same = elements.length === item.elements.length && elements.every((x, i) => x === item.elements[i]);
    if (!same) changed += 1;
    items.push(same ? item : { elements, undefinedLength: item.undefinedLength });
  }
  if (changed === 0) return e;
  return {
    tag: e.tag,
    vr: e.vr,
    items,
    undefinedLength: e.undefinedLength,
    offset: e.offset,
    ...(e.itemEncoding === undefined ? {} : { itemEncoding: e.itemEncoding }),
  };
}

function apply(
  action: ResolvedAction,
  hitBasic: string,
  e: DicomElement,
  charset: DicomCharset,
  mode: Mode,
  ctx: WalkContext,
  rule: string,
): DicomElement | undefined {
  if (e.tag === PATIENT_NAME || e.tag === PATIENT_ID) {
    // Z/D and Z allow a dummy value: the patient's keyed pseudonym, shared with FHIR and HL7v2.
    if (action === 'K') return transcoded(e, charset, ctx);
    return asciiElement(e.tag, e.vr, ctx.patient.pseudonym);
  }
  switch (action) {
    case 'X':
      return undefined;
    case 'K':
      return e.items !== undefined ? walkItems(e, charset, mode, ctx) : transcoded(e, charset, ctx);
    case 'Z':
      // A sequence under X/Z (references: Referenced Study Sequence, ...) is kept with its UIDs
      // replaced, as for X/Z/U*: an emptied Type 3 sequence would violate its 1-n item count.
      if (e.items !== undefined && hitBasic === 'X/Z') return walkItems(e, charset, mode, ctx);
      if (e.items !== undefined)
        return e.items.length === 0 ? e : { tag: e.tag, vr: e.vr, items: [], undefinedLength: e.undefinedLength, offset: e.offset };
      return e.value !== undefined && e.value.byteLength === 0 ? e : withValue(e, new Uint8Array(0));
    case 'D':
      if (e.items !== undefined) return walkItems(e, charset, mode === 'clean' ? 'clean' : 'dummy', ctx);
      if (e.vr === 'UI') return replaceUids(e)(ctx.remapUid);
      return withValue(e, dummyValue(e.vr));
    case 'U':
    case 'U*':
      if (e.items !== undefined) return walkItems(e, charset, mode, ctx);
      if (e.vr === 'UI' || e.vr === 'UN') return replaceUids(e)(ctx.remapUid);
      return withValue(e, new Uint8Array(0));
    case 'C':
      if (e.items !== undefined) return walkItems(e, charset, 'clean', ctx);
      return clean(e, charset, ctx, rule);
  }
}

function isFree(vr: Vr): boolean {
  return isTextVr(vr) || vr === 'DA' || vr === 'DT' || vr === 'TM';
}

/**
 * Free text or a date by its own VR, or by the data dictionary's VR when the file says otherwise
 * (UN from an Implicit VR or unknowing writer, PS3.5 §6.2.2; OB or LO where the standard says UT or
 * PN), or UN of a tag the dictionary does not know: what the file declares is not trusted to
 * make a value harmless.
 */
function freeByTag(e: DicomElement): 'own' | 'declared' | undefined {
  if (isFree(e.vr)) return 'own';
  const declared = standardDictionary().vrOf(e.tag);
  if (declared === undefined ? e.vr === 'UN' : isFree(declared)) return 'declared';
  return undefined;
}

/** VRs of text a person or a device types freely; a code string (CS), an AE title or a UID is none. */
const TYPED_TEXT_VRS: ReadonlySet<Vr> = new Set<Vr>(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN']);

/**
 * An attribute Table E.1-1 does not list is kept (PS3.15 §E.1.1), unless it is typed text that
 * holds one of the instance's own known identifiers (`WHITFIELD window` in a Window Center & Width
 * Explanation): Safe Harbor allows none anywhere, so that value is cleaned like a descriptor.
 */
function keptUnlisted(e: DicomElement, charset: DicomCharset, ctx: WalkContext, rule: string): DicomElement {
  const value = e.value;
  if (!TYPED_TEXT_VRS.has(e.vr) || value === undefined || value.byteLength === 0 || CODE_TAGS.has(e.tag)) return transcoded(e, charset, ctx);
  const patient = ctx.patientWords();
  if (patient.words.length === 0) return transcoded(e, charset, ctx);
  // ASCII words are found in the bytes read as Latin-1 (every DICOM repertoire keeps ASCII as is but
  // ISO 2022 escapes, which do not split a word); others need the value decoded.
  const text = patient.ascii ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1') : textOf(e, charset);
  return text !== undefined && mentionsPatient(text.toUpperCase(), patient) ? cleanText(e, charset, ctx, rule) : transcoded(e, charset, ctx);
}

function unlisted(e: DicomElement, charset: DicomCharset, mode: Mode, ctx: WalkContext, rule: string): DicomElement {
  if (e.items !== undefined) return walkItems(e, charset, mode, ctx);
  if (mode === 'normal') return keptUnlisted(e, charset, ctx, rule);
  if (CODE_TAGS.has(e.tag)) return transcoded(e, charset, ctx);
  const free = freeByTag(e);
  if (free === undefined) return transcoded(e, charset, ctx);
  if (mode === 'clean' && free === 'own') return clean(e, charset, ctx, rule);
  // A value whose VR does not say how to read it is not cleaned but replaced (a dummy of its own VR).
  return withValue(e, dummyValue(e.vr));
}

function isSafePrivate(e: DicomElement, creators: ReadonlyMap<Tag, string>, ctx: WalkContext): boolean {
  if (!ctx.options.has('retainSafePrivate')) return false;
  const creator = creators.get(privateCreatorOf(e.tag));
  if (creator === undefined) return false;
  const key = safePrivateKey(creator, tagGroup(e.tag), tagElement(e.tag) & 0xff);
  return ctx.safePrivate.has(key) && fitsListedVr(ctx.safePrivate.get(key), e);
}

/**
 * A retained safe private element: a sequence still gets the profile applied to its items (they
 * may hold standard attributes or other private blocks), and a UID is replaced like every other
 * instance UID unless Retain UIDs is on, so it neither leaks nor breaks references.
 */
function keepSafePrivate(e: DicomElement, charset: DicomCharset, mode: Mode, ctx: WalkContext): DicomElement {
  if (e.items !== undefined) return walkItems(e, charset, mode, ctx);
  if (e.vr === 'UI' && !ctx.options.has('retainUids')) return replaceUids(e)(ctx.remapUid);
  return transcoded(e, charset, ctx);
}

/**
 * Applies Table E.1-1 (with the enabled options) to a list of elements and, recursively, to the
 * items of their sequences (PS3.15 §E.1.1). Unchanged elements are returned as the same objects
 * (so they are written back byte for byte); changed ones are new elements.
 */
export function deidentifyElements(
  elements: readonly DicomElement[],
  inherited: DicomCharset,
  mode: Mode,
  ctx: WalkContext,
): DicomElement[] {
  const own = elements.find((e) => e.tag === SPECIFIC_CHARACTER_SET);
  const charset = own === undefined ? inherited : parseCharset(asciiOf(own));
  // Private creators are kept only with a retained element of their block: decided at the end.
  let creators: Map<Tag, string> | undefined;
  let keptCreators: Set<Tag> | undefined;
  let sawCreator = false;
  const out: DicomElement[] = [];
  for (const e of elements) {
    const g = tagGroup(e.tag);
    // Group lengths (gggg,0000) and Length to End are retired and would be wrong after changes (PS3.5 §7.2).
    if ((tagElement(e.tag) === 0 && g !== 0x0002) || e.tag === 0x00080001) continue;
    // Command elements (group 0000, PS3.7 §E.1) and File Meta elements (group 0002, PS3.10 §7.1)
    // have no place in a data set: removed wherever they appear, whatever they hold.
    if (g === 0x0000 || g === 0x0002) {
      ctx.tally.add('other-id', 'dicom.out-of-place:X');
      continue;
    }
    if (e.tag === SPECIFIC_CHARACTER_SET) {
      out.push(ctx.forceUtf8 ? asciiElement(e.tag, 'CS', 'ISO_IR 192') : e);
      continue;
    }
    if (isPrivateTag(e.tag)) {
      if (isPrivateCreator(e.tag)) {
        sawCreator = true;
        out.push(e);
        continue;
      }
      // Private attributes: X unless Retain Safe Private lists them (PS3.15 §E.3.10).
      if (ctx.options.has('retainSafePrivate')) {
        creators ??= new Map(elements.filter((x) => isPrivateCreator(x.tag)).map((x) => [x.tag, (asciiOf(x) ?? '').trim()]));
        if (isSafePrivate(e, creators, ctx)) {
          (keptCreators ??= new Set()).add(privateCreatorOf(e.tag));
          out.push(keepSafePrivate(e, charset, mode, ctx));
          continue;
        }
      }
      ctx.tally.add('other-id', 'dicom.private:X');
      continue;
    }
    const hit = ctx.table.actionOf(e.tag);
    const rule = ruleId(e.tag, hit?.action ?? mode);
    const next =
      e.tag === CODE_MEANING && hit === undefined && e.value !== undefined && !hasCodeValue(elements)
        ? uncodedMeaning(e, charset, mode, ctx, rule)
        : hit === undefined
          ? unlisted(e, charset, mode, ctx, rule)
          : apply(hit.action, hit.row.basic, e, charset, mode, ctx, rule);
    if (
      next !== e &&
      !(
        hit?.action === 'C' &&
        next !== undefined &&
        next.value !== undefined &&
        e.value !== undefined &&
        Buffer.compare(next.value, e.value) === 0
      )
    ) {
      if (next === undefined || next.items === undefined) ctx.tally.add(categoryOf(e), rule);
    }
    if (next !== undefined) out.push(next);
  }
  if (!sawCreator) return out;
  return out.filter((e) => !isPrivateCreator(e.tag) || keptCreators?.has(e.tag) === true);
}
