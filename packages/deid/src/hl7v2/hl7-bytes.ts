/** How a file's bytes were read, so they are written back the same way. */
export type Hl7Charset = 'utf-8' | 'latin1' | 'utf-16le' | 'utf-16be';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `utf-16le` or `utf-16be` when `head` (the first bytes of a file) is UTF-16 (MSH-18 `UNICODE
 * UTF-16`): a byte order mark, or, without one, two ASCII code units first, whose high bytes are
 * zero (an HL7 file starts with a segment id, `MSH`, `FHS`, `BHS`, or MLLP's 0x0B: ASCII). A file in
 * a byte charset has no NUL there. Else undefined.
 */
export function sniffHl7Utf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head.length < 4) return undefined;
  const ascii = (b: number | undefined): boolean => b !== undefined && b > 0 && b < 0x80;
  if (ascii(head[0]) && head[1] === 0 && ascii(head[2]) && head[3] === 0) return 'utf-16le';
  if (head[0] === 0 && ascii(head[1]) && head[2] === 0 && ascii(head[3])) return 'utf-16be';
  return undefined;
}

/**
 * Decodes a file losslessly: UTF-16 when {@link sniffHl7Utf16} says so; else as UTF-8 when the
 * bytes are valid UTF-8; else as ISO 8859-1, which maps every byte to one character (MSH-18
 * `8859/1` files). A BOM stays in the text as U+FEFF, so it is written back.
 */
export function decodeHl7Bytes(bytes: Uint8Array): { text: string; charset: Hl7Charset } {
  const utf16 = sniffHl7Utf16(bytes);
  if (utf16 !== undefined) return { text: new TextDecoder(utf16, { ignoreBOM: true }).decode(bytes), charset: utf16 };
  try {
    return { text: UTF8.decode(bytes), charset: 'utf-8' };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), charset: 'latin1' };
  }
}

/** Inverse of {@link decodeHl7Bytes}; characters a Latin-1 file cannot hold become `?`. */
export function encodeHl7Bytes(text: string, charset: Hl7Charset): Buffer {
  switch (charset) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'latin1':
      return Buffer.from(text.replace(/[^\x00-\xFF]/gu, '?'), 'latin1');
  }
}
