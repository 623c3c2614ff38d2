import { decodeText, encodeText, type DicomCharset } from './charset.ts';
import type { DicomElement } from './dataset.ts';
import type { Tag } from './tag.ts';
import type { Vr } from './vr.ts';

/** Bytes → latin1 string with trailing NUL/space padding removed (default-repertoire VRs, PS3.5 §6.2). */
export function asciiOf(e: DicomElement | undefined): string | undefined {
  if (e?.value === undefined) return undefined;
  return Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
}

/** A text value decoded in its character set, trailing padding removed. */
export function textOf(e: DicomElement | undefined, charset: DicomCharset): string | undefined {
  if (e?.value === undefined) return undefined;
  return decodeText(e.value, charset).replace(/[\0 ]+$/, '');
}

/** A new element holding `value` (already encoded), header rebuilt by the writer. */
export function withValue(e: { readonly tag: Tag; readonly vr: Vr; readonly offset?: number }, value: Uint8Array): DicomElement {
  return { tag: e.tag, vr: e.vr, value, undefinedLength: false, offset: e.offset ?? 0 };
}

export function asciiElement(t: Tag, vr: Vr, value: string): DicomElement {
  return withValue({ tag: t, vr }, Buffer.from(value, 'latin1'));
}

/** Encodes text for an element, or `undefined` when the character set cannot hold it. */
export function textElement(
  e: { readonly tag: Tag; readonly vr: Vr; readonly offset?: number },
  text: string,
  charset: DicomCharset,
): DicomElement | undefined {
  const bytes = encodeText(text, charset);
  return bytes === undefined ? undefined : withValue(e, bytes);
}
