import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import type { DicomElement, DicomFile } from './dataset.ts';
import { DicomError } from './dicom-error.ts';
import { readDicom, readDicomElements, readDicomPrefix, type ReadDicomOptions } from './read-dicom.ts';
import { ITEM, PIXEL_DATA, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH, formatTag } from './tag.ts';
import type { DatasetEncoding } from './transfer-syntax.ts';
import { hasLongLength, isVr } from './vr.ts';

const readAsync = promisify(read);

/** Closes an {@link OpenDicomFile}'s descriptor. */
export function closeDicomFile(fd: number): void {
  closeSync(fd);
}

export interface ReadDicomFileOptions extends ReadDicomOptions {
  /** Files up to this size are read whole in one read (default 1 MiB); larger ones are streamed. */
  readonly wholeFileLimit?: number;
  /** First prefix read for a streamed file (default 256 KiB); it grows ×4 while the header needs more. */
  readonly firstRead?: number;
}

/** A file opened for de-identification: its data set in memory, Pixel Data possibly left on disk. */
export interface OpenDicomFile {
  readonly file: DicomFile;
  /** Offset of the file's first byte in the buffer the elements are slices of (DICOMDIR offsets). */
  readonly fileStart: number;
  /** Open descriptor of the input; {@link DicomElement.source} ranges are read from it. */
  readonly fd: number;
  /** Bytes held in memory for this file (header, tail, or the whole file when small). */
  readonly bytesInMemory: number;
  readonly size: number;
}

function readAtSync(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

async function readAt(fd: number, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await readAsync(fd, buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

function fail(name: string | undefined, code: 'truncated' | 'bad-item' | 'length-past-end', message: string, at: number): never {
  throw new DicomError(code, message, { place: { ...(name === undefined ? {} : { file: name }), tag: formatTag(PIXEL_DATA), index: at } });
}

/**
 * Locates Pixel Data from its header in `head` (PS3.5 §7.1.2): a defined length gives its end at
 * once; undefined-length encapsulated data (PS3.5 §A.4) is walked item header by item header
 * (8 bytes read per fragment), so the fragments themselves are never read.
 */
function locatePixelData(
  fd: number,
  head: Uint8Array,
  at: number,
  size: number,
  enc: DatasetEncoding,
  name: string | undefined,
): DicomElement | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const le = enc.littleEndian;
  let vr: DicomElement['vr'] = 'OW';
  let length: number;
  let valueStart: number;
  if (enc.explicitVr) {
    if (at + 12 > head.length) return undefined;
    const text = String.fromCharCode(head[at + 4] ?? 0, head[at + 5] ?? 0);
    if (!isVr(text) || !hasLongLength(text))
      throw new DicomError('bad-vr', 'Pixel Data has no long-length VR', {
        place: { ...(name === undefined ? {} : { file: name }), tag: formatTag(PIXEL_DATA), index: at },
      });
    vr = text;
    length = view.getUint32(at + 8, le);
    valueStart = at + 12;
  } else {
    if (at + 8 > head.length) return undefined;
    length = view.getUint32(at + 4, le);
    valueStart = at + 8;
  }
  if (length !== UNDEFINED_LENGTH) {
    if (valueStart + length > size) fail(name, 'length-past-end', 'value length runs past the end of its container', at);
    return { tag: PIXEL_DATA, vr, undefinedLength: false, offset: at, source: { start: at, end: valueStart + length, valueStart } };
  }
  const item = Buffer.alloc(8);
  const itemView = new DataView(item.buffer, item.byteOffset, 8);
  for (let pos = valueStart; ;) {
    if (pos + 8 > size || readSync(fd, item, 0, 8, pos) < 8)
      fail(name, 'truncated', 'encapsulated pixel data has no sequence delimiter', pos);
    const t = ((itemView.getUint16(0, le) << 16) | itemView.getUint16(2, le)) >>> 0;
    const itemLength = itemView.getUint32(4, le);
    if (t === SEQUENCE_DELIMITATION)
      return { tag: PIXEL_DATA, vr, undefinedLength: true, offset: at, source: { start: at, end: pos + 8, valueStart } };
    if (t !== ITEM || itemLength === UNDEFINED_LENGTH) fail(name, 'bad-item', 'expected a fragment item', pos);
    if (pos + 8 + itemLength > size) fail(name, 'length-past-end', 'fragment length runs past the end', pos);
    pos += 8 + itemLength;
  }
}

/**
 * Opens and reads a DICOM file for de-identification. A small file is read whole (one read);
 * a larger one is read incrementally: a prefix that grows until the data set up to the top-level
 * Pixel Data parses, then Pixel Data is located without reading it (its bytes stay on disk as a
 * {@link DicomElement.source} range, copied to the output later), then whatever follows it is
 * read. Memory is the header and tail, whatever the pixel data's size. Deflated files, and files
 * whose data set has no top-level Pixel Data, end up read whole. The caller closes `fd`.
 */
export async function openDicomFile(path: string, options: ReadDicomFileOptions = {}): Promise<OpenDicomFile> {
  // Small files (the common case) are read with blocking calls: a read from the page cache costs
  // about what a thread-pool round trip would, and the CPU work needs its bytes anyway.
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const whole = (bytes: Uint8Array): OpenDicomFile => ({
      file: readDicom(bytes, options),
      fileStart: bytes.byteOffset,
      fd,
      bytesInMemory: bytes.length,
      size,
    });
    if (size <= (options.wholeFileLimit ?? 1 << 20)) return whole(readAtSync(fd, size, 0));
    for (let length = Math.min(size, options.firstRead ?? 256 << 10); length < size; length = Math.min(size, length * 4)) {
      const head = await readAt(fd, length, 0);
      let prefix: ReturnType<typeof readDicomPrefix>;
      try {
        prefix = readDicomPrefix(head, options);
      } catch (error) {
        // A prefix cut inside an element reads as malformed: read more, and judge on the whole file.
        if (error instanceof DicomError) continue;
        throw error;
      }
      const at = prefix.pixelDataAt;
      if (at === undefined || prefix.file.deflated !== undefined) continue;
      const pixels = locatePixelData(fd, head, at, size, prefix.file.encoding, options.name);
      if (pixels === undefined) continue;
      const end = pixels.source?.end ?? size;
      const tailBytes = end < size ? await readAt(fd, size - end, end) : new Uint8Array(0);
      const tail = readDicomElements(tailBytes, prefix.file.encoding, end, options);
      const file: DicomFile = { ...prefix.file, dataset: [...prefix.file.dataset, pixels, ...tail] };
      return { file, fileStart: head.byteOffset, fd, bytesInMemory: head.length + tailBytes.length, size };
    }
    return whole(await readAt(fd, size, 0));
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Reads a streamed element's value into memory (native Pixel Data to clean). */
export function loadSourceValue(fd: number, e: DicomElement): DicomElement {
  if (e.source === undefined || e.undefinedLength) return e;
  const value = Buffer.allocUnsafeSlow(e.source.end - e.source.valueStart);
  let done = 0;
  while (done < value.length) {
    const n = readSync(fd, value, done, value.length - done, e.source.valueStart + done);
    if (n === 0)
      throw new DicomError('truncated', 'the file ended while reading Pixel Data', {
        place: { tag: formatTag(e.tag), index: e.source.valueStart + done },
      });
    done += n;
  }
  return { tag: e.tag, vr: e.vr, value, undefinedLength: false, offset: e.offset };
}
