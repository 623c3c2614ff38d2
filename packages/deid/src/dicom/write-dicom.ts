import { deflateRawSync } from 'node:zlib';
import type { DicomElement, DicomFile, DicomItem, SourceRange } from './dataset.ts';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from './tag.ts';
import type { DatasetEncoding } from './transfer-syntax.ts';
import { hasLongLength, isStringVr } from './vr.ts';

const EXPLICIT_LE: DatasetEncoding = { littleEndian: true, explicitVr: true };

/** Output as a list of byte chunks: unchanged values are the input's own slices (no copy). */
export type Chunks = Uint8Array[];

/** Output of a streamed read: chunks, and ranges of the input file to copy (Pixel Data left on disk). */
export type Part = Uint8Array | SourceRange;

/** An element or item header (PS3.5 §7.1.2, §7.5), bytes set one by one (no DataView per element). */
function header(tagValue: number, vr: string, length: number, enc: DatasetEncoding): Uint8Array {
  const le = enc.littleEndian;
  const group = tagValue >>> 16;
  const element = tagValue & 0xffff;
  const implicit = !enc.explicitVr || group === 0xfffe;
  const long = implicit || hasLongLength(vr as never);
  const b = new Uint8Array(implicit || !long ? 8 : 12);
  const put16 = (at: number, v: number): void => {
    b[at + (le ? 0 : 1)] = v & 0xff;
    b[at + (le ? 1 : 0)] = v >>> 8;
  };
  const put32 = (at: number, v: number): void => {
    for (let i = 0; i < 4; i++) b[at + (le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
  };
  put16(0, group);
  put16(2, element);
  if (implicit) {
    put32(4, length);
    return b;
  }
  b[4] = vr.charCodeAt(0);
  b[5] = vr.charCodeAt(1);
  if (long) put32(8, length);
  else put16(6, length);
  return b;
}

export function size(chunks: readonly Part[]): number {
  let n = 0;
  for (const c of chunks) n += c instanceof Uint8Array ? c.byteLength : c.end - c.start;
  return n;
}

/** Pads a value to even length: spaces for strings, NUL for UI and binary (PS3.5 §6.2, §7.1). */
export function padValue(vr: string, value: Uint8Array): Uint8Array {
  if (value.byteLength % 2 === 0) return value;
  const out = new Uint8Array(value.byteLength + 1);
  out.set(value);
  out[value.byteLength] = isStringVr(vr as never) && vr !== 'UI' ? 0x20 : 0x00;
  return out;
}

/** Serialises one sequence item (PS3.5 §7.5). */
export function writeItem(item: DicomItem, enc: DatasetEncoding, out: Part[]): void {
  if (item.raw !== undefined) {
    out.push(item.raw);
    return;
  }
  const body: Part[] = [];
  writeElements(item.elements, enc, body);
  out.push(header(ITEM, '', item.undefinedLength ? UNDEFINED_LENGTH : size(body), enc), ...body);
  if (item.undefinedLength) out.push(header(ITEM_DELIMITATION, '', 0, enc));
}

/** Serialises one element: verbatim when it still has its original bytes, else from its parts. */
export function writeElement(e: DicomElement, enc: DatasetEncoding, out: Part[]): void {
  if (e.raw !== undefined) {
    out.push(e.raw);
    return;
  }
  if (e.source !== undefined) {
    out.push(e.source);
    return;
  }
  if (e.items !== undefined) {
    const itemEnc = e.itemEncoding ?? enc;
    const body: Part[] = [];
    for (const item of e.items) writeItem(item, itemEnc, body);
    out.push(header(e.tag, e.vr, e.undefinedLength ? UNDEFINED_LENGTH : size(body), enc), ...body);
    if (e.undefinedLength) out.push(header(SEQUENCE_DELIMITATION, '', 0, itemEnc));
    return;
  }
  if (e.fragments !== undefined) {
    out.push(header(e.tag, e.vr, UNDEFINED_LENGTH, enc));
    for (const f of e.fragments) out.push(header(ITEM, '', f.byteLength, enc), f);
    out.push(header(SEQUENCE_DELIMITATION, '', 0, enc));
    return;
  }
  const value = padValue(e.vr, e.value ?? new Uint8Array(0));
  out.push(header(e.tag, e.vr, value.byteLength, enc), value);
}

export function writeElements(elements: readonly DicomElement[], enc: DatasetEncoding, out: Part[]): void {
  for (const e of elements) writeElement(e, enc, out);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Writes File Meta Information with its group length recomputed (PS3.10 §7.1). */
function writeMeta(meta: readonly DicomElement[], out: Part[]): void {
  const rest: Part[] = [];
  writeElements(
    meta.filter((e) => e.tag !== 0x00020000),
    EXPLICIT_LE,
    rest,
  );
  const groupLength = meta.find((e) => e.tag === 0x00020000);
  if (groupLength !== undefined) {
    const value = new Uint8Array(4);
    new DataView(value.buffer).setUint32(0, size(rest), true);
    const same = groupLength.value !== undefined && equalBytes(groupLength.value, value);
    writeElement(same ? groupLength : { tag: 0x00020000, vr: 'UL', value, undefinedLength: false, offset: 0 }, EXPLICIT_LE, out);
  }
  out.push(...rest);
}

/**
 * Serialises a file (PS3.10 §7). Elements and items that were not modified keep their original
 * bytes, so writing an unmodified read reproduces the input byte for byte; pixel data is never
 * copied, only referenced, or left in the input file as a {@link SourceRange} when it was streamed.
 */
export function writeDicomParts(file: DicomFile): Part[] {
  const out: Part[] = [];
  if (file.preamble !== undefined) out.push(file.preamble, new Uint8Array([0x44, 0x49, 0x43, 0x4d]));
  if (file.strayPrefix !== undefined) out.push(file.strayPrefix);
  if (file.meta.length > 0) writeMeta(file.meta, out);
  const body: Part[] = [];
  writeElements(file.dataset, file.encoding, body);
  if (file.deflated !== undefined) {
    const inflated = Buffer.concat(inMemory(body));
    // Unchanged data set: keep the original compressed stream, since deflate output is not canonical.
    out.push(equalBytes(inflated, file.deflated.inflated) ? file.deflated.compressed : deflateRawSync(inflated, { level: 1 }));
    return out;
  }
  for (const part of body) out.push(part);
  return out;
}

function inMemory(parts: readonly Part[]): Chunks {
  return parts.map((p) => {
    if (p instanceof Uint8Array) return p;
    throw new TypeError('an element left in the input file cannot be written to memory; use writeDicomParts');
  });
}

/** {@link writeDicomParts} for a file read whole into memory. */
export function writeDicomChunks(file: DicomFile): Chunks {
  return inMemory(writeDicomParts(file));
}

/** {@link writeDicomChunks} joined into one buffer. */
export function writeDicom(file: DicomFile): Uint8Array {
  return Buffer.concat(writeDicomChunks(file));
}
