import { inflateRawSync } from 'node:zlib';
import { DicomError, type DicomErrorCode } from './dicom-error.ts';
import type { DicomElement, DicomFile, DicomItem } from './dataset.ts';
import { standardDictionary, type DicomDictionary } from './dictionary.ts';
import { ITEM, ITEM_DELIMITATION, PIXEL_DATA, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH, formatTag, type Tag } from './tag.ts';
import { encodingOf, isDeflated, EXPLICIT_VR_BIG_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, type DatasetEncoding } from './transfer-syntax.ts';
import { hasLongLength, isVr, vrOfBytes, type Vr } from './vr.ts';

export interface ReadDicomOptions {
  /** Names the input in error places (a relative path, never a patient value). */
  readonly name?: string;
  readonly dictionary?: DicomDictionary;
  /** Sequence nesting limit (default 64). */
  readonly maxDepth?: number;
}

const EXPLICIT_LE: DatasetEncoding = { littleEndian: true, explicitVr: true };
const IMPLICIT_LE: DatasetEncoding = { littleEndian: true, explicitVr: false };
const MAGIC = [0x44, 0x49, 0x43, 0x4d]; // "DICM", PS3.10 §7.1

interface Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly name: string | undefined;
  readonly dictionary: DicomDictionary;
  readonly maxDepth: number;
  /** Offset of `bytes` in the file (a piece read on its own), for error places. */
  readonly base?: number;
}

function fail(c: Cursor, code: DicomErrorCode, message: string, at: number, t?: Tag): never {
  throw new DicomError(code, message, {
    place: {
      ...(c.name === undefined ? {} : { file: c.name }),
      ...(t === undefined ? {} : { tag: formatTag(t) }),
      index: at + (c.base ?? 0),
    },
  });
}

function u16(c: Cursor, at: number, le: boolean): number {
  if (at + 2 > c.bytes.length) fail(c, 'truncated', 'data ends inside an element header', at);
  return c.view.getUint16(at, le);
}

function u32(c: Cursor, at: number, le: boolean): number {
  if (at + 4 > c.bytes.length) fail(c, 'truncated', 'data ends inside an element header', at);
  return c.view.getUint32(at, le);
}

function readTag(c: Cursor, at: number, le: boolean): Tag {
  return ((u16(c, at, le) << 16) | u16(c, at + 2, le)) >>> 0;
}

/** Reads elements from `start` until `end`, or until `stop` says the next tag belongs elsewhere. */
function readElements(
  c: Cursor,
  start: number,
  end: number,
  enc: DatasetEncoding,
  depth: number,
  stop: (t: Tag) => boolean,
): { elements: DicomElement[]; next: number } {
  const elements: DicomElement[] = [];
  let at = start;
  while (at < end) {
    const t = readTag(c, at, enc.littleEndian);
    if (stop(t)) break;
    const element = readElement(c, at, end, enc, depth, t);
    elements.push(element.element);
    at = element.next;
  }
  return { elements, next: at };
}

function readElement(
  c: Cursor,
  at: number,
  end: number,
  enc: DatasetEncoding,
  depth: number,
  t: Tag,
): { element: DicomElement; next: number } {
  const le = enc.littleEndian;
  let vr: Vr;
  let length: number;
  let valueStart: number;
  if (t === ITEM || t === ITEM_DELIMITATION || t === SEQUENCE_DELIMITATION) {
    fail(c, 'bad-item', 'item or delimiter outside a sequence', at, t);
  }
  if (enc.explicitVr) {
    if (at + 8 > end) fail(c, 'truncated', 'data ends inside an element header', at, t);
    const known = vrOfBytes(c.bytes[at + 4] ?? 0, c.bytes[at + 5] ?? 0);
    if (known === undefined) fail(c, 'bad-vr', 'unknown value representation', at, t);
    vr = known;
    if (hasLongLength(vr)) {
      length = u32(c, at + 8, le);
      valueStart = at + 12;
    } else {
      length = u16(c, at + 6, le);
      valueStart = at + 8;
    }
  } else {
    length = u32(c, at + 4, le);
    valueStart = at + 8;
    vr = c.dictionary.vrOf(t) ?? 'UN';
  }
  if (valueStart > end) fail(c, 'truncated', 'data ends inside an element header', at, t);

  if (length === UNDEFINED_LENGTH) {
    if (vr === 'SQ' || (vr === 'UN' && t !== PIXEL_DATA)) {
      // PS3.5 §7.5.2 undefined-length sequence; a UN one holds Implicit VR LE items (§6.2.2).
      const itemEnc = vr === 'UN' ? IMPLICIT_LE : enc;
      const seq = readItems(c, valueStart, end, itemEnc, depth + 1, true, t);
      return {
        element: {
          tag: t,
          vr,
          items: seq.items,
          undefinedLength: true,
          ...(vr === 'UN' ? { itemEncoding: IMPLICIT_LE } : {}),
          raw: c.bytes.subarray(at, seq.next),
          offset: at,
        },
        next: seq.next,
      };
    }
    // Encapsulated pixel data (PS3.5 §A.4): Basic Offset Table item, fragments, sequence delimiter.
    const frags = readFragments(c, valueStart, end, le, t);
    return {
      element: { tag: t, vr, fragments: frags.fragments, undefinedLength: true, raw: c.bytes.subarray(at, frags.next), offset: at },
      next: frags.next,
    };
  }

  const valueEnd = valueStart + length;
  if (valueEnd > end) fail(c, 'length-past-end', 'value length runs past the end of its container', at, t);
  const raw = c.bytes.subarray(at, valueEnd);
  if (vr === 'SQ') {
    const seq = readItems(c, valueStart, valueEnd, enc, depth + 1, false, t);
    return { element: { tag: t, vr, items: seq.items, undefinedLength: false, raw, offset: at }, next: valueEnd };
  }
  if (vr === 'UN' && length >= 8 && readTag(c, valueStart, true) === ITEM) {
    // A defined-length sequence whose VR is unknown (private, or UN): try items in Implicit VR LE.
    try {
      const seq = readItems(c, valueStart, valueEnd, IMPLICIT_LE, depth + 1, false, t);
      return {
        element: { tag: t, vr, items: seq.items, undefinedLength: false, itemEncoding: IMPLICIT_LE, raw, offset: at },
        next: valueEnd,
      };
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      // Not a sequence after all: keep the bytes.
    }
  }
  return {
    element: { tag: t, vr, value: c.bytes.subarray(valueStart, valueEnd), undefinedLength: false, raw, offset: at },
    next: valueEnd,
  };
}

function readItems(
  c: Cursor,
  start: number,
  end: number,
  enc: DatasetEncoding,
  depth: number,
  undefinedLength: boolean,
  owner: Tag,
): { items: DicomItem[]; next: number } {
  if (depth > c.maxDepth) fail(c, 'too-deep', 'sequences nested too deeply', start, owner);
  const items: DicomItem[] = [];
  let at = start;
  const le = enc.littleEndian;
  for (;;) {
    if (!undefinedLength && at >= end) return { items, next: at };
    if (at + 8 > end) fail(c, undefinedLength ? 'truncated' : 'length-past-end', 'sequence ends inside an item header', at, owner);
    const t = readTag(c, at, le);
    const length = u32(c, at + 4, le);
    if (t === SEQUENCE_DELIMITATION && undefinedLength) return { items, next: at + 8 };
    if (t !== ITEM) fail(c, 'bad-item', 'expected an item in a sequence', at, owner);
    if (length === UNDEFINED_LENGTH) {
      const content = readElements(c, at + 8, end, enc, depth, (x) => x === ITEM_DELIMITATION);
      if (content.next + 8 > end) fail(c, 'truncated', 'item has no delimitation item', at, owner);
      const next = content.next + 8;
      items.push({ elements: content.elements, undefinedLength: true, raw: c.bytes.subarray(at, next) });
      at = next;
    } else {
      const itemEnd = at + 8 + length;
      if (itemEnd > end) fail(c, 'length-past-end', 'item length runs past the end of its sequence', at, owner);
      const content = readElements(c, at + 8, itemEnd, enc, depth, () => false);
      items.push({ elements: content.elements, undefinedLength: false, raw: c.bytes.subarray(at, itemEnd) });
      at = itemEnd;
    }
  }
}

function readFragments(c: Cursor, start: number, end: number, le: boolean, owner: Tag): { fragments: Uint8Array[]; next: number } {
  const fragments: Uint8Array[] = [];
  let at = start;
  for (;;) {
    if (at + 8 > end) fail(c, 'truncated', 'encapsulated pixel data has no sequence delimiter', at, owner);
    const t = readTag(c, at, le);
    const length = u32(c, at + 4, le);
    if (t === SEQUENCE_DELIMITATION) return { fragments, next: at + 8 };
    if (t !== ITEM || length === UNDEFINED_LENGTH) fail(c, 'bad-item', 'expected a fragment item', at, owner);
    if (at + 8 + length > end) fail(c, 'length-past-end', 'fragment length runs past the end', at, owner);
    fragments.push(c.bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
}

function plainView(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return MAGIC.every((m, i) => bytes[at + i] === m);
}

function trimUid(value: Uint8Array | undefined): string {
  if (value === undefined) return '';
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}

/** Guesses how a data set without File Meta Information is encoded (PS3.5 §A: bare data sets). */
function sniffEncoding(c: Cursor, at: number): { transferSyntax: string; encoding: DatasetEncoding } {
  if (at + 8 > c.bytes.length) fail(c, 'bad-preamble', 'too short to be DICOM', at);
  const explicit = isVr(String.fromCharCode(c.bytes[at + 4] ?? 0, c.bytes[at + 5] ?? 0));
  const gLe = c.view.getUint16(at, true);
  const gBe = c.view.getUint16(at, false);
  const plausible = (g: number): boolean => g >= 0x0002 && g <= 0x0010;
  if (plausible(gLe) && (explicit || c.view.getUint16(at + 2, true) <= 0x00ff || gLe === 0x0008))
    return explicit
      ? { transferSyntax: EXPLICIT_VR_LITTLE_ENDIAN, encoding: EXPLICIT_LE }
      : { transferSyntax: '1.2.840.10008.1.2', encoding: IMPLICIT_LE };
  if (plausible(gBe) && explicit) return { transferSyntax: EXPLICIT_VR_BIG_ENDIAN, encoding: { littleEndian: false, explicitVr: true } };
  return fail(c, 'bad-preamble', 'no DICM prefix and no recognisable data set start', at);
}

/**
 * Reads a DICOM Part 10 file (PS3.10 §7) or a bare data set. Values are zero-copy slices of
 * `bytes`; nothing is decoded, so large pixel data costs only its header. Throws
 * {@link DicomError} naming the file, the tag and the byte offset on malformed input.
 */
export function readDicom(bytes: Uint8Array, options: ReadDicomOptions = {}): DicomFile {
  return readDicomUntil(bytes, options, false).file;
}

/**
 * Reads the start of a file up to its top-level Pixel Data (7FE0,0010) without reading that
 * element: `pixelDataAt` is the offset of its header, or undefined when the data set ended first.
 * `bytes` may be a prefix of the file; a prefix cut inside an element throws like a truncated file.
 */
export function readDicomPrefix(bytes: Uint8Array, options: ReadDicomOptions = {}): { file: DicomFile; pixelDataAt: number | undefined } {
  return readDicomUntil(bytes, options, true);
}

/**
 * Reads the top-level elements of a piece of a data set (what follows Pixel Data in a streamed
 * file). `base` is the piece's offset in the file, for error places and element offsets.
 */
export function readDicomElements(
  bytes: Uint8Array,
  encoding: DatasetEncoding,
  base: number,
  options: ReadDicomOptions = {},
): DicomElement[] {
  const c: Cursor = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    name: options.name,
    dictionary: options.dictionary ?? standardDictionary(),
    maxDepth: options.maxDepth ?? 64,
    base,
  };
  return readElements(c, 0, bytes.length, encoding, 0, () => false).elements.map((e) => ({ ...e, offset: e.offset + base }));
}

function readDicomUntil(
  bytes: Uint8Array,
  options: ReadDicomOptions,
  stopAtPixelData: boolean,
): { file: DicomFile; pixelDataAt: number | undefined } {
  // Slices of a plain Uint8Array are much cheaper than Buffer slices (one per value and per element).
  bytes = plainView(bytes);
  const c: Cursor = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    name: options.name,
    dictionary: options.dictionary ?? standardDictionary(),
    maxDepth: options.maxDepth ?? 64,
  };
  let at = 0;
  let preamble: Uint8Array | undefined;
  if (bytes.length >= 132 && hasMagic(bytes, 128)) {
    preamble = bytes.subarray(0, 128);
    at = 132;
  }
  let meta: DicomElement[] = [];
  let prefix: Uint8Array | undefined;
  // File Meta Information, group 0002, Explicit VR Little Endian (PS3.10 §7.1).
  if (at + 2 <= bytes.length && c.view.getUint16(at, true) === 0x0002) {
    const m = readElements(c, at, bytes.length, EXPLICIT_LE, 0, (t) => t >>> 16 !== 0x0002);
    meta = m.elements;
    at = m.next;
  } else if (preamble !== undefined) {
    fail(c, 'bad-preamble', 'DICM prefix without file meta information', at);
  }
  let transferSyntax: string;
  let encoding: DatasetEncoding;
  if (meta.length > 0) {
    transferSyntax = trimUid(meta.find((e) => e.tag === 0x00020010)?.value);
    if (transferSyntax === '') fail(c, 'bad-transfer-syntax', 'file meta has no transfer syntax UID', at, 0x00020010);
    encoding = encodingOf(transferSyntax);
  } else {
    // A few writers leave stray bytes before a bare data set; accept up to 8 and keep them for rewriting.
    let sniffed: { transferSyntax: string; encoding: DatasetEncoding } | undefined;
    for (let skip = 0; skip <= 8 && sniffed === undefined; skip++) {
      try {
        sniffed = sniffEncoding(c, at + skip);
        if (skip > 0) {
          readElement(c, at + skip, bytes.length, sniffed.encoding, 0, readTag(c, at + skip, sniffed.encoding.littleEndian));
          prefix = bytes.subarray(at, at + skip);
          at += skip;
        }
      } catch (error) {
        if (!(error instanceof DicomError) || skip === 8) throw error;
        sniffed = undefined;
      }
    }
    if (sniffed === undefined) return fail(c, 'bad-preamble', 'no recognisable data set start', at);
    ({ transferSyntax, encoding } = sniffed);
  }
  if (isDeflated(transferSyntax)) {
    // Deflated Explicit VR Little Endian: the data set after the meta is raw deflate (PS3.5 §A.5, RFC 1951).
    const compressed = bytes.subarray(at);
    let inflated: Uint8Array;
    try {
      inflated = inflateRawSync(compressed);
    } catch {
      return fail(c, 'deflate', 'deflated data set does not inflate', at);
    }
    const ic: Cursor = { ...c, bytes: inflated, view: new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength) };
    const ds = readElements(ic, 0, inflated.length, encoding, 0, () => false);
    return {
      file: {
        ...(preamble === undefined ? {} : { preamble }),
        meta,
        transferSyntax,
        encoding,
        dataset: ds.elements,
        deflated: { compressed, inflated },
      },
      pixelDataAt: undefined,
    };
  }
  const ds = readElements(c, at, bytes.length, encoding, 0, (t) => stopAtPixelData && t === PIXEL_DATA);
  const file: DicomFile = {
    ...(preamble === undefined ? {} : { preamble }),
    ...(prefix === undefined ? {} : { strayPrefix: prefix }),
    meta,
    transferSyntax,
    encoding,
    dataset: ds.elements,
  };
  return { file, pixelDataAt: ds.next < bytes.length ? ds.next : undefined };
}
