import { closeSync, openSync, writeSync } from 'node:fs';
import type { DicomElement, DicomFile } from './dataset.ts';
import { EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.ts';
import { asciiElement } from './values.ts';
import { writeDicomChunks, type Chunks } from './write-dicom.ts';

export interface SyntheticOptions {
  readonly frames: number;
  readonly rows?: number;
  readonly columns?: number;
  /** Fills the pixel data (default: a cheap ramp). */
  readonly fill?: (pixels: Uint8Array) => void;
  readonly patientName?: string;
  readonly patientId?: string;
}

function us(t: number, v: number): DicomElement {
  const value = new Uint8Array(2);
  new DataView(value.buffer).setUint16(0, v, true);
  return { tag: t, vr: 'US', value, undefinedLength: false, offset: 0 };
}

/**
 * A synthetic Enhanced-like multi-frame MR instance (16-bit native pixels, Explicit VR LE) with
 * fictitious identifying attributes, for benchmarks and streaming tests; size ≈ frames × rows ×
 * columns × 2 bytes. Pure: returns chunks.
 */
export function syntheticMultiframe(options: SyntheticOptions): Chunks {
  const rows = options.rows ?? 512;
  const cols = options.columns ?? 512;
  const pixels = new Uint8Array(options.frames * rows * cols * 2);
  if (options.fill === undefined) for (let i = 0; i < pixels.length; i += 4099) pixels[i] = i & 0xff;
  else options.fill(pixels);
  return writeDicomChunks(
    syntheticFile(options, { tag: 0x7fe00010, vr: 'OW', value: pixels, undefinedLength: false, offset: 0 }, EXPLICIT_VR_LITTLE_ENDIAN),
  );
}

function syntheticFile(options: SyntheticOptions, pixelData: DicomElement | undefined, transferSyntax: string): DicomFile {
  const rows = options.rows ?? 512;
  const cols = options.columns ?? 512;
  const sop = '2.25.1234567890123456789012345678901234567';
  const dataset: DicomElement[] = [
    asciiElement(0x00080005, 'CS', 'ISO_IR 100'),
    asciiElement(0x00080008, 'CS', 'ORIGINAL\\PRIMARY'),
    asciiElement(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4'),
    asciiElement(0x00080018, 'UI', sop),
    asciiElement(0x00080020, 'DA', '20240131'),
    asciiElement(0x00080030, 'TM', '101500'),
    asciiElement(0x00080050, 'SH', 'ACC0012345'),
    asciiElement(0x00080060, 'CS', 'MR'),
    asciiElement(0x00080070, 'LO', 'PHIGUARD SYNTHETIC'),
    asciiElement(0x00080080, 'LO', 'Synthetic General Hospital'),
    asciiElement(0x00080090, 'PN', 'Referrer^Rita'),
    asciiElement(0x00100010, 'PN', options.patientName ?? 'Synthetic^Patient'),
    asciiElement(0x00100020, 'LO', options.patientId ?? 'SYN-0001'),
    asciiElement(0x00100030, 'DA', '19700101'),
    asciiElement(0x00100040, 'CS', 'O'),
    asciiElement(0x0020000d, 'UI', '2.25.111111111111111111111111111111111111'),
    asciiElement(0x0020000e, 'UI', '2.25.222222222222222222222222222222222222'),
    asciiElement(0x00200010, 'SH', 'STUDY1'),
    asciiElement(0x00200011, 'IS', '1'),
    asciiElement(0x00200013, 'IS', '1'),
    us(0x00280002, 1),
    asciiElement(0x00280004, 'CS', 'MONOCHROME2'),
    asciiElement(0x00280008, 'IS', String(options.frames)),
    us(0x00280010, rows),
    us(0x00280011, cols),
    us(0x00280100, 16),
    us(0x00280101, 16),
    us(0x00280102, 15),
    us(0x00280103, 0),
    ...(pixelData === undefined ? [] : [pixelData]),
  ];
  const file: DicomFile = {
    preamble: new Uint8Array(128),
    meta: [
      { tag: 0x00020000, vr: 'UL', value: new Uint8Array(4), undefinedLength: false, offset: 0 },
      { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1), undefinedLength: false, offset: 0 },
      asciiElement(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.4'),
      asciiElement(0x00020003, 'UI', sop),
      asciiElement(0x00020010, 'UI', transferSyntax),
      asciiElement(0x00020012, 'UI', '2.25.190698457218349187934532785630298214517'),
    ],
    transferSyntax,
    encoding: { littleEndian: true, explicitVr: true },
    dataset,
  };
  return file;
}

/** RLE Lossless (PS3.5 §A.4.2): any encapsulated syntax would do, the fragments are never decoded. */
const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

function header(group: number, element: number, vr: string, length: number): Buffer {
  const b = Buffer.alloc(vr === '' ? 8 : 12);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  if (vr === '') b.writeUInt32LE(length >>> 0, 4);
  else {
    b.write(vr, 4, 'latin1');
    b.writeUInt32LE(length >>> 0, 8);
  }
  return b;
}

/**
 * Writes a synthetic multi-frame file to `path` one frame at a time (memory: one frame), for
 * streaming tests and benchmarks far larger than a heap: native pixels, or `encapsulated`
 * (undefined-length Pixel Data, one fragment per frame). `trailer` adds a private block after
 * Pixel Data holding the patient's name, which de-identification must remove.
 */
export function writeSyntheticMultiframe(
  path: string,
  options: SyntheticOptions & { readonly encapsulated?: boolean; readonly trailer?: boolean },
): number {
  const rows = options.rows ?? 512;
  const cols = options.columns ?? 512;
  const frameBytes = rows * cols * 2;
  const encapsulated = options.encapsulated === true;
  const head = writeDicomChunks(syntheticFile(options, undefined, encapsulated ? RLE_LOSSLESS : EXPLICIT_VR_LITTLE_ENDIAN));
  const frame = Buffer.alloc(frameBytes);
  const fd = openSync(path, 'w');
  let written = 0;
  const put = (b: Uint8Array): void => {
    writeSync(fd, b);
    written += b.byteLength;
  };
  try {
    for (const c of head) put(c);
    if (encapsulated) {
      put(header(0x7fe0, 0x0010, 'OB\0\0', 0xffffffff));
      put(header(0xfffe, 0xe000, '', 0)); // empty Basic Offset Table
    } else put(header(0x7fe0, 0x0010, 'OW\0\0', options.frames * frameBytes));
    for (let f = 0; f < options.frames; f++) {
      if (options.fill === undefined) for (let i = 0; i < frameBytes; i += 4099) frame[i] = (f + i) & 0xff;
      else options.fill(frame);
      if (encapsulated) put(header(0xfffe, 0xe000, '', frameBytes));
      put(frame);
    }
    if (encapsulated) put(header(0xfffe, 0xe0dd, '', 0));
    if (options.trailer === true) {
      for (const c of writeDicomChunks({
        meta: [],
        transferSyntax: EXPLICIT_VR_LITTLE_ENDIAN,
        encoding: { littleEndian: true, explicitVr: true },
        dataset: [
          asciiElement(0x7fe10010, 'LO', 'ACME TRAILER'),
          asciiElement(0x7fe11001, 'LO', options.patientName ?? 'Synthetic^Patient'),
        ],
      }))
        put(c);
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
