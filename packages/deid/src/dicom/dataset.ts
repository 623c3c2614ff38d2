import type { DatasetEncoding } from './transfer-syntax.ts';
import type { Tag } from './tag.ts';
import type { Vr } from './vr.ts';

/**
 * One data element as read (PS3.5 §7.1). Values are slices of the input (never copied or
 * decoded). `raw` is the element's original bytes, header included: an element that still has
 * `raw` is written back verbatim, which is what makes unmodified output byte-identical.
 */
export interface DicomElement {
  readonly tag: Tag;
  readonly vr: Vr;
  /** Value bytes for non-sequence, non-encapsulated elements. */
  readonly value?: Uint8Array;
  /** Items of a sequence (SQ, or UN holding a sequence: PS3.5 §6.2.2). */
  readonly items?: readonly DicomItem[];
  /** Encapsulated pixel data (PS3.5 §A.4): the Basic Offset Table then the fragments. */
  readonly fragments?: readonly Uint8Array[];
  readonly undefinedLength: boolean;
  /** Items of a UN sequence are Implicit VR Little Endian (PS3.5 §6.2.2 note). */
  readonly itemEncoding?: DatasetEncoding;
  readonly raw?: Uint8Array;
  /**
   * An element left in the input file instead of memory (streamed Pixel Data): the writer copies
   * these bytes from the input file as they are.
   */
  readonly source?: SourceRange;
  /** Byte offset of the header in the (inflated) input, for error places. */
  readonly offset: number;
}

/** A byte range of the input file: [start, end), header included; the value starts at `valueStart`. */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
  readonly valueStart: number;
}

/** A sequence item (PS3.5 §7.5): a nested data set, of defined or undefined length. */
export interface DicomItem {
  readonly elements: readonly DicomElement[];
  readonly undefinedLength: boolean;
  readonly raw?: Uint8Array;
}

export interface DicomFile {
  /** The 128-byte preamble, or undefined for a bare data set without Part 10 header (PS3.10 §7.1). */
  readonly preamble?: Uint8Array;
  /** Stray bytes found before a bare data set (kept only so an unmodified file rewrites byte for byte). */
  readonly strayPrefix?: Uint8Array;
  /** File Meta Information, group 0002, always Explicit VR Little Endian. */
  readonly meta: readonly DicomElement[];
  readonly transferSyntax: string;
  readonly encoding: DatasetEncoding;
  readonly dataset: readonly DicomElement[];
  /** For Deflated files: the original compressed bytes and inflated bytes, to write unchanged files verbatim. */
  readonly deflated?: { readonly compressed: Uint8Array; readonly inflated: Uint8Array };
}

export function findElement(elements: readonly DicomElement[], t: Tag): DicomElement | undefined {
  return elements.find((e) => e.tag === t);
}
