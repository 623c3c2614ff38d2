/** How a file's bytes were read, so they are written back the same way. */
export type Hl7Charset = 'utf-8' | 'latin1';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a file losslessly: as UTF-8 when the bytes are valid UTF-8 (a BOM stays in the text as
 * U+FEFF), else as ISO 8859-1, which maps every byte to one character (MSH-18 `8859/1` files).
 */
export function decodeHl7Bytes(bytes: Uint8Array): { text: string; charset: Hl7Charset } {
  try {
    return { text: UTF8.decode(bytes), charset: 'utf-8' };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), charset: 'latin1' };
  }
}

/** Inverse of {@link decodeHl7Bytes}; characters a Latin-1 file cannot hold become `?`. */
export function encodeHl7Bytes(text: string, charset: Hl7Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  return Buffer.from(text.replace(/[^\x00-\xFF]/gu, '?'), 'latin1');
}
