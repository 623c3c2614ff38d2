import type { PatientContext } from '../context/patient-context.ts';
import type { DicomElement, DicomFile, DicomItem } from './dataset.ts';
import { writeDicomChunks, writeItem, size, type Chunks } from './write-dicom.ts';
import { asciiOf } from './values.ts';

/** Directory Record Sequence of a DICOMDIR (PS3.3 §F.3.2.2). */
export const DIRECTORY_RECORD_SEQUENCE = 0x00041220;
const ROOT_FIRST = 0x00041200;
const ROOT_LAST = 0x00041202;
const NEXT_RECORD = 0x00041400;
const LOWER_LEVEL = 0x00041420;
const RECORD_TYPE = 0x00041430;
const REFERENCED_FILE_ID = 0x00041500;

export function isDicomdir(dataset: readonly DicomElement[]): boolean {
  return dataset.some((e) => e.tag === DIRECTORY_RECORD_SEQUENCE && e.items !== undefined);
}

function ul(e: DicomElement | undefined): number {
  const v = e?.value;
  return v === undefined || v.byteLength < 4 ? 0 : new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
}

/** Offsets in a DICOMDIR count bytes from the first byte of the file (PS3.3 §F.3.2.1): old offset → record index. */
function recordIndex(items: readonly DicomItem[], fileStart: number): Map<number, number> {
  const index = new Map<number, number>();
  items.forEach((item, i) => {
    if (item.raw !== undefined) index.set(item.raw.byteOffset - fileStart, i);
  });
  return index;
}

/**
 * The patient of every directory record: each PATIENT record's identity, given to the records
 * below it through the lower-level offsets (PS3.3 §F.5.1 record hierarchy), so each patient's
 * studies, series and images get that patient's pseudonym and date shift.
 */
export function directoryPatients(
  input: DicomFile,
  fileStart: number,
  patientOf: (record: readonly DicomElement[]) => PatientContext,
): Map<DicomItem, PatientContext> {
  const seq = input.dataset.find((e) => e.tag === DIRECTORY_RECORD_SEQUENCE);
  const items = seq?.items ?? [];
  const index = recordIndex(items, fileStart);
  const out = new Map<DicomItem, PatientContext>();
  const assign = (offset: number, patient: PatientContext, depth: number): void => {
    let at = offset;
    const seen = new Set<number>();
    while (at !== 0 && !seen.has(at) && depth < 16) {
      seen.add(at);
      const i = index.get(at);
      const item = i === undefined ? undefined : items[i];
      if (item === undefined) return;
      out.set(item, patient);
      assign(ul(item.elements.find((e) => e.tag === LOWER_LEVEL)), patient, depth + 1);
      at = ul(item.elements.find((e) => e.tag === NEXT_RECORD));
    }
  };
  for (const item of items) {
    if (asciiOf(item.elements.find((e) => e.tag === RECORD_TYPE)) !== 'PATIENT') continue;
    const patient = patientOf(item.elements);
    out.set(item, patient);
    assign(ul(item.elements.find((e) => e.tag === LOWER_LEVEL)), patient, 1);
  }
  return out;
}

function withUl(e: DicomElement, value: number): DicomElement {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, value, true);
  return { tag: e.tag, vr: e.vr, value: v, undefinedLength: false, offset: e.offset };
}

/**
 * Rewrites the record offsets of a de-identified DICOMDIR for its new layout (PS3.3 §F.3.2.1):
 * values change length, so every Offset of the Next / Lower-Level record and the root offsets
 * are mapped from the input's record positions to the output's. Records keep their order.
 */
export function fixDirectoryOffsets(input: DicomFile, fileStart: number, output: DicomFile): DicomFile {
  const inSeq = input.dataset.find((e) => e.tag === DIRECTORY_RECORD_SEQUENCE);
  const outSeq = output.dataset.find((e) => e.tag === DIRECTORY_RECORD_SEQUENCE);
  if (inSeq?.items === undefined || outSeq?.items === undefined || inSeq.items.length !== outSeq.items.length) return output;
  const oldIndex = recordIndex(inSeq.items, fileStart);
  // Position of the first item: everything before the sequence, then its 12-byte Explicit VR header.
  const before: Chunks = writeDicomChunks({ ...output, dataset: output.dataset.filter((e) => e.tag < DIRECTORY_RECORD_SEQUENCE) });
  let at = size(before) + (output.encoding.explicitVr ? 12 : 8);
  const newOffsets: number[] = [];
  for (const item of outSeq.items) {
    newOffsets.push(at);
    const chunks: Chunks = [];
    writeItem(item, output.encoding, chunks);
    at += size(chunks);
  }
  const map = (old: number): number => {
    if (old === 0) return 0;
    const i = oldIndex.get(old);
    return i === undefined ? 0 : (newOffsets[i] ?? 0);
  };
  const items = outSeq.items.map((item) => ({
    elements: item.elements.map((e) => (e.tag === NEXT_RECORD || e.tag === LOWER_LEVEL ? withUl(e, map(ul(e))) : e)),
    undefinedLength: item.undefinedLength,
  }));
  const dataset = output.dataset.map((e) => {
    if (e.tag === ROOT_FIRST || e.tag === ROOT_LAST) return withUl(e, map(ul(e)));
    if (e.tag === DIRECTORY_RECORD_SEQUENCE) return { tag: e.tag, vr: e.vr, items, undefinedLength: e.undefinedLength, offset: e.offset };
    return e;
  });
  return { ...output, dataset };
}

/** Type 1 / Type 2 attributes of the STUDY Directory Record (PS3.3 §F.5.2) that the profile may have emptied or removed. */
const STUDY_RECORD_REQUIRED: readonly (readonly [number, 'DA' | 'TM' | 'SH' | 'LO', string | undefined])[] = [
  [0x00080020, 'DA', '19000101'],
  [0x00080030, 'TM', '000000'],
  [0x00081030, 'LO', undefined],
  [0x00200010, 'SH', 'ANONYMIZED'],
];

/**
 * Keeps STUDY records conformant after the Basic Profile: Study Date, Study Time and Study ID are
 * Type 1 there (Type 2 in images, hence Z in Table E.1-1), so an emptied one gets a dummy value
 * (action D); Study Description is Type 2 there, so a removed one comes back empty (action Z).
 */
export function conformDirectoryRecords(dataset: readonly DicomElement[]): DicomElement[] {
  return dataset.map((e) => {
    if (e.tag !== DIRECTORY_RECORD_SEQUENCE || e.items === undefined) return e;
    const items = e.items.map((item): DicomItem => {
      if (asciiOf(item.elements.find((x) => x.tag === RECORD_TYPE)) !== 'STUDY') return item;
      let elements = [...item.elements];
      for (const [t, vr, dummy] of STUDY_RECORD_REQUIRED) {
        const present = elements.find((x) => x.tag === t);
        if (present !== undefined && (dummy === undefined || (present.value?.byteLength ?? 0) > 0)) continue;
        const value = Buffer.from(dummy ?? '', 'latin1');
        const replacement: DicomElement = {
          tag: t,
          vr,
          value: value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from(' ')]),
          undefinedLength: false,
          offset: 0,
        };
        elements = [...elements.filter((x) => x.tag !== t), replacement].sort((a, b) => a.tag - b.tag);
      }
      return elements.every((x, i) => x === item.elements[i]) && elements.length === item.elements.length
        ? item
        : { elements, undefinedLength: item.undefinedLength };
    });
    return items.every((x, i) => x === e.items?.[i])
      ? e
      : { tag: e.tag, vr: e.vr, items, undefinedLength: e.undefinedLength, offset: e.offset };
  });
}

/**
 * Renames the Referenced File ID (0004,1500) of every directory record component by component
 * with `rename` (CS, one component per value, PS3.10 §8.2 and PS3.3 §F.3.2.2), so the records
 * point at the output files when their names were pseudonymized. Offsets change with the values
 * and are fixed after ({@link fixDirectoryOffsets}).
 */
export function renameReferencedFiles(dataset: readonly DicomElement[], rename: (component: string) => string): DicomElement[] {
  return dataset.map((e) => {
    if (e.tag !== DIRECTORY_RECORD_SEQUENCE || e.items === undefined) return e;
    const items = e.items.map((item): DicomItem => {
      const reference = item.elements.find((x) => x.tag === REFERENCED_FILE_ID);
      const value = asciiOf(reference);
      if (reference === undefined || value === undefined || value === '') return item;
      const renamed = Buffer.from(value.split('\\').map((c) => rename(c.trim())).join('\\'), 'latin1');
      const element: DicomElement = {
        tag: reference.tag,
        vr: reference.vr,
        value: renamed.length % 2 === 0 ? renamed : Buffer.concat([renamed, Buffer.from(' ')]),
        undefinedLength: false,
        offset: reference.offset,
      };
      return { undefinedLength: item.undefinedLength, elements: item.elements.map((x) => (x === reference ? element : x)) };
    });
    return { tag: e.tag, vr: e.vr, items, undefinedLength: e.undefinedLength, offset: e.offset };
  });
}
