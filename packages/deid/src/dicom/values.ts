import { decodeText, encodeText, type DicomCharset } from './charset.ts';
import type { DicomElement } from './dataset.ts';
import type { Tag } from './tag.ts';
import type { Vr } from './vr.ts';

/** Bytes → latin1 string with trailing NUL/space padding removed (default-repertoire VRs, PS3.5 §6.2). */
export function asciiOf(e: DicomElement | undefined): string | undefined {
  const v = e?.value;
  if (v === undefined) return undefined;
  // Padding trimmed on the bytes, then one latin1 decode (no regular expressions: called for most values).
  let end = v.byteLength;
  while (end > 0 && (v[end - 1] === 0x20 || v[end - 1] === 0x00)) end -= 1;
  let start = 0;
  while (start < end && v[start] === 0x20) start += 1;
  if (end - start <= 16) {
    let text = '';
    for (let i = start; i < end; i++) text += String.fromCharCode(v[i] ?? 0);
    return text;
  }
  return Buffer.from(v.buffer, v.byteOffset + start, end - start).toString('latin1');
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
